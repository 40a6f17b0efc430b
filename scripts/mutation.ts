/**
 * `npm run mutation [-- STRYKER-OPTIONS]`: Stryker on the core (machines/,
 * src/interpreter, src/arena, src/invariants, src/engine; stryker.config.json)
 * against the tests that exercise it in-process (test/mutation/), then the
 * score per file and folder against the targets. `-- --incremental` reuses
 * test/mutation/incremental.json, so a change costs only the mutants it
 * touches; `-- --mutate machines/block.plan.ts` narrows a run (its score
 * then covers that file only). `--score-only` prints the last report's score
 * without running Stryker. Exit: Stryker's status if it failed, else 1 when
 * a target is not met, else 0. Reports: test-output/mutation/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatScore, meetsTargets, scoreRows } from './mutation-score';

const ROOT = join(__dirname, '..');
const REPORT = join(ROOT, 'test-output', 'mutation', 'mutation.json');

async function main(args: string[]): Promise<number> {
  const scoreOnly = args.includes('--score-only');
  if (!scoreOnly) {
    const started = Date.now();
    const stryker = spawnSync(process.execPath, [join(ROOT, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', ...args], { cwd: ROOT, stdio: 'inherit' });
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    process.stdout.write(`\nmutation: Stryker ran ${minutes} min (wall) on ${args.length ? args.join(' ') : 'the whole core'}\n`);
    if (stryker.status !== 0) return stryker.status ?? 1;
  }
  if (!existsSync(REPORT)) {
    process.stderr.write(`mutation: no report at ${REPORT}; run npm run mutation first\n`);
    return 2;
  }
  const report = JSON.parse(readFileSync(REPORT, 'utf8')) as { files: Parameters<typeof scoreRows>[0] };
  const rows = scoreRows(report.files);
  process.stdout.write(`\n${formatScore(rows)}\n`);
  return meetsTargets(rows) ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
