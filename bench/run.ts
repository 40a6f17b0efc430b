/**
 * `npm run bench`: the simulator's performance targets, measured in one run
 * and printed against their targets (issue: the guest_memfd simulator).
 * Timings are never asserted in unit tests; this is where they live.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { measureThroughput } from './throughput';
import { exploreRows } from './explore';
import { cliStartupRows } from './cli-startup';

interface Row {
  measure: string;
  value: string;
  target: string;
  met: boolean;
}

function sixteenGib(): { wallMs: number; peakRss: number; pass: boolean } {
  const child = spawnSync(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'sixteen-gib.ts')], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`sixteen-gib bench failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as { wallMs: number; peakRss: number; pass: boolean };
}

const big = sixteenGib();
const tp = measureThroughput();
const MB = 1e6;
const rows: Row[] = [
  { measure: '16 x 1 GiB trace: wall time', value: `${big.wallMs.toFixed(0)} ms`, target: '< 1000 ms', met: big.wallMs < 1000 },
  { measure: '16 x 1 GiB trace: peak RSS (whole process)', value: `${(big.peakRss / MB).toFixed(0)} MB`, target: '< 150 MB', met: big.peakRss < 150 * MB },
  { measure: '16 x 1 GiB trace: passes', value: String(big.pass), target: 'true', met: big.pass },
  {
    measure: `2 MiB block round trips, ${tp.blocks} blocks x ${tp.passesPerRound} passes x ${tp.rounds} rounds: simulator / Buffer (median round)`,
    value: `${tp.ratio.toFixed(2)}x (rounds ${tp.ratios.map((r) => r.toFixed(2)).join(' ')}; ${tp.simulatorMs.toFixed(0)} ms / ${tp.bufferMs.toFixed(0)} ms)`,
    target: '<= 2x',
    met: tp.ratio <= 2,
  },
  { measure: '2 MiB blocks: first pass, faulting every page', value: `${tp.firstPassMs.toFixed(0)} ms for ${tp.blocks * 2} MiB`, target: '(informative)', met: true },
];
rows.push(...exploreRows());
rows.push(...cliStartupRows());
const w = Math.max(...rows.map((r) => r.measure.length));
const vw = Math.max(...rows.map((r) => r.value.length));
for (const r of rows) process.stdout.write(`${r.met ? 'met ' : 'MISS'}  ${r.measure.padEnd(w)}  ${r.value.padEnd(vw)}  target ${r.target}\n`);
process.exitCode = rows.every((r) => r.met) ? 0 : 1;
