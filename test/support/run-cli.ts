/** Runs the real `bin/gmem.js` in a child process, as `npx gmem` would. */
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(__dirname, '..', '..', 'bin', 'gmem.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string; input?: string; env?: Record<string, string> } = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: options.cwd,
    env: { ...process.env, FORCE_COLOR: '0', ...options.env },
    ...(options.input !== undefined ? { input: options.input } : {}),
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the bin without waiting (servers); resolves once its stderr contains `ready`. */
export function startCli(args: string[], ready: RegExp): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gmem ${args.join(' ')} did not get ready: ${err}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (ready.test(err)) {
        clearTimeout(timer);
        resolve({ child, stderr: () => err });
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      if (!ready.test(err)) reject(new Error(`gmem ${args.join(' ')} exited: ${err}`));
    });
  });
}

/** Every line of `text` that is wider than `width` columns. */
export function wideLines(text: string, width = 100): string[] {
  return text.split('\n').filter((l) => l.length > width);
}
