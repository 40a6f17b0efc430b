/** Runs the real `bin/gmem.js` in a child process, as `npx gmem` would. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [join(__dirname, '..', '..', 'bin', 'gmem.js'), ...args], {
    encoding: 'utf8',
    cwd: options.cwd,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
