/**
 * Writing a command's output file (`-o FILE`, `--record FILE`, `--traces DIR`):
 * a directory, a missing parent directory or a file that cannot be written is
 * bad input, reported in one line naming the path (exit 2), never a stack.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../input-error';

const REASONS: Record<string, string> = {
  EISDIR: 'is a directory',
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EIO: 'input/output error',
};

export function outputProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return REASONS[code] ?? (code || String(err));
}

/** `what` names the flag or command, as in `spec: -o docs: is a directory`. */
export function writeOutputFile(path: string, text: string, what: string): void {
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    writeFileSync(path, text);
  } catch (err) {
    throw new InputError(`${what} ${path}: cannot write it (${outputProblem(err)})`);
  }
}

/** A directory the command will write files into, created if missing (its parents too). */
export function ensureOutputDir(dir: string, what: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (err) {
    throw new InputError(`${what} ${dir}: cannot write there (${outputProblem(err)})`);
  }
}

/** Checks up front that a file can be created there, so a long run does not fail at its end. */
export function checkOutputPath(path: string, what: string): void {
  const fail = (code: string): never => {
    throw new InputError(`${what} ${path}: cannot write it (${outputProblem(Object.assign(new Error(code), { code }))})`);
  };
  let parent;
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) fail('EISDIR');
    parent = statSync(dirname(path), { throwIfNoEntry: false });
  } catch (err) {
    if (err instanceof InputError) throw err;
    fail((err as NodeJS.ErrnoException).code ?? 'EIO');
  }
  if (!parent) fail('ENOENT');
  if (!parent!.isDirectory()) fail('ENOTDIR');
}
