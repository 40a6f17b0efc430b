/**
 * How long `gmem --help` takes to start, median of 10 runs after a warm-up:
 * the compiled bin on its own, and through `npx` as a person types it. npx
 * itself (npm exec reading the dependency tree) costs most of the second, so
 * its floor, `npx -c true`, is printed beside it for reading the figure.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const RUNS = 10;

function medianSeconds(command: string, args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(command, args, { cwd: ROOT, stdio: 'ignore', env: { ...process.env, npm_config_update_notifier: 'false' } });
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}`);
    if (i > 0) times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return (times[RUNS / 2 - 1]! + times[RUNS / 2]!) / 2;
}

export function cliStartupRows(): Array<{ measure: string; value: string; target: string; met: boolean }> {
  const bin = medianSeconds(process.execPath, [join(ROOT, 'bin', 'gmem.js'), '--help']);
  const npx = medianSeconds('npx', ['gmem', '--help']);
  const floor = medianSeconds('npx', ['-c', 'true']);
  return [
    { measure: `node bin/gmem.js --help: wall time (median of ${RUNS})`, value: `${bin.toFixed(2)} s`, target: '< 0.5 s', met: bin < 0.5 },
    { measure: `npx gmem --help: wall time (median of ${RUNS})`, value: `${npx.toFixed(2)} s`, target: '< 0.5 s', met: npx < 0.5 },
    { measure: `npx -c true (npm exec alone, for reading the line above)`, value: `${floor.toFixed(2)} s`, target: '(informative)', met: true },
  ];
}
