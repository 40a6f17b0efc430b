/**
 * `npm run kernel-tree`: obtain the kernel tree the selftest compile check
 * needs (src/selftest/kernel-tree.ts says how), once; later runs return at once.
 */
import { describeTree, KernelTreeError, obtainKernelTree } from '../src/selftest/kernel-tree';

const started = Date.now();
try {
  const tree = obtainKernelTree((line) => process.stderr.write(`kernel-tree: ${line}\n`));
  process.stdout.write(`kernel-tree: ${describeTree(tree)} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
} catch (err) {
  if (err instanceof KernelTreeError) {
    process.stderr.write(`kernel-tree: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
