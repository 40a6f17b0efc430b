/**
 * Running the host commands the kernel run needs (apt, make, tar, qemu), with
 * failures turned into one-line KernelRunErrors that the CLI prints as they
 * are (exit 2, no stack trace). Long commands write to a log file, so a
 * failed `make` leaves its whole output on disk and the message names the
 * file; only short queries (apt-cache, dpkg-query) are captured in memory.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Something outside the tests stopped the run (no root, apt, a build): one line. */
export class KernelRunError extends Error {
  override name = 'KernelRunError';
}

export type Log = (line: string) => void;

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** write stdout and stderr here (appending) instead of keeping them in memory */
  logFile?: string;
}

/** Runs a command and returns its stdout; throws a one-line KernelRunError on failure. */
export function run(cmd: string, args: ReadonlyArray<string>, opts: RunOptions = {}): string {
  const env = { ...process.env, ...opts.env };
  if (opts.logFile) {
    mkdirSync(dirname(opts.logFile), { recursive: true });
    const fd = openSync(opts.logFile, 'a');
    let res;
    try {
      res = spawnSync(cmd, args, { cwd: opts.cwd, env, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    check(cmd, args, res.error, res.status, res.signal, () => readFileSync(opts.logFile!, 'utf8'), opts.logFile);
    return '';
  }
  const res = spawnSync(cmd, args, { cwd: opts.cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  check(cmd, args, res.error, res.status, res.signal, () => `${res.stdout ?? ''}\n${res.stderr ?? ''}`);
  return res.stdout;
}

function check(cmd: string, args: ReadonlyArray<string>, error: Error | undefined, status: number | null, signal: NodeJS.Signals | null, output: () => string, logFile?: string): void {
  if (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new KernelRunError(`'${cmd}' is not installed`);
    throw new KernelRunError(`${cmd}: ${error.message}`);
  }
  if (status === 0) return;
  const why = signal ? `killed by ${signal}` : `exit ${status}`;
  const where = logFile ? `; log: ${logFile}` : '';
  throw new KernelRunError(`${commandLine(cmd, args)} failed (${why}): ${keyLine(output())}${where}`);
}

/** The command as a person would retype it, shortened when it lists many targets. */
function commandLine(cmd: string, args: ReadonlyArray<string>): string {
  const shown = args.length > 8 ? [...args.slice(0, 8), `... (${args.length - 8} more)`] : args;
  return [cmd, ...shown].join(' ');
}

/**
 * The line of a failed command's output that says why: apt's `E:` lines and
 * compilers' `error:` lines come first; then the last line that is not
 * make's own (`make: *** [...] Error 2` says nothing), and only then that.
 */
export function keyLine(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const pick = lines.find((l) => /^E: /.test(l)) ?? lines.find((l) => /\berror\b/i.test(l) && !/\*\*\*/.test(l)) ?? [...lines].reverse().find((l) => !/^make(\[\d+\])?: /.test(l)) ?? lines[lines.length - 1] ?? 'no output';
  return pick.length > 300 ? `${pick.slice(0, 300)}...` : pick;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
