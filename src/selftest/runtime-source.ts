/**
 * The selftest runtime, src/selftest/c/gmem_runtime.c, as emit.ts writes it
 * into every generated file. The file opens with a comment for readers of
 * this repository (what the runtime does, which kernel tests it follows);
 * what is emitted is everything after that comment. The file is read from
 * beside this module: scripts/build.js copies it into dist/ with the
 * compiled code, so the path is the same from src/ and dist/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const RUNTIME_C_FILE = join(__dirname, 'c', 'gmem_runtime.c');

let runtime: string | undefined;

/** The C a generated selftest carries after its uapi block (read once). */
export function runtimeC(): string {
  if (runtime === undefined) {
    const text = readFileSync(RUNTIME_C_FILE, 'utf8');
    const end = text.startsWith('/*') ? text.indexOf('*/\n') : -1;
    if (end < 0) throw new Error(`${RUNTIME_C_FILE}: does not open with a comment, which is left out of the generated files`);
    runtime = text.slice(end + '*/\n'.length);
  }
  return runtime;
}
