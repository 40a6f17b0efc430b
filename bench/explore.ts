/**
 * The explorer's performance targets, measured side by side in one
 * run: distinct states per second against xstate/graph's getShortestPaths on
 * one block of N = 2, 3, 4 pages; states per second on one core at the start
 * scope (every setting); the speed-up on every core. Run in a child process
 * by bench/run.ts (`exploreRows`) so its worker threads start clean.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Scope } from '../src/explore/operations';
import { fromBuild, MEASURED_CODE } from './entry';

// The explorer and xstate/graph from the same place: dist/ when current, as `gmem explore` runs them.
const { DEFAULT_POLICY } = fromBuild<typeof import('../machines/policy')>('machines/policy');
const { reachableBlockPaths } = fromBuild<typeof import('../machines/block.reachable')>('machines/block.reachable');
const { runSettings } = fromBuild<typeof import('../src/explore/run')>('src/explore/run');
const { START_SCOPE, verdictSettings } = fromBuild<typeof import('../src/explore/settings')>('src/explore/settings');

interface Row {
  measure: string;
  value: string;
  target: string;
  met: boolean;
}

const setting = { variant: 'rfc-v2' as const, vmType: 'sw-protected' as const, policy: DEFAULT_POLICY };
/** Depth per block size so each search runs for a second or more (the one-block spaces grow ~3x a page). */
const ONE_BLOCK_DEPTH: Record<number, number> = { 2: 7, 3: 6, 4: 5 };

async function measure(): Promise<Row[]> {
  const rows: Row[] = [{ measure: 'code measured', value: MEASURED_CODE, target: '(informative)', met: true }];
  for (const n of [2, 3, 4]) {
    // xstate/graph warm: the best of three traversals (a cold first one at N = 2 takes twice as long, which flattered the ratio).
    let graphMs = Infinity;
    let paths: ReturnType<typeof reachableBlockPaths> = [];
    for (let run = 0; run < 3; run++) {
      const start = process.hrtime.bigint();
      paths = reachableBlockPaths(n, { initial: 'shared', policy: {} });
      graphMs = Math.min(graphMs, Number(process.hrtime.bigint() - start) / 1e6);
    }
    const graphRate = paths.length / (graphMs / 1000);
    const scope: Scope = { blocks: 1, pages: n, processes: 1, pins: n, values: 1, depth: ONE_BLOCK_DEPTH[n]! };
    const t = Date.now();
    const [r] = await runSettings([setting], scope);
    const exploreMs = Date.now() - t;
    const rate = r!.result.states / (exploreMs / 1000);
    const ratio = rate / graphRate;
    rows.push({
      measure: `one block of ${n} pages: explorer / xstate/graph getShortestPaths, distinct states per second`,
      value: `${ratio.toFixed(1)}x (${Math.round(rate)} vs ${Math.round(graphRate)} states/s; ${r!.result.states} simulator states to depth ${scope.depth} in ${exploreMs} ms, ${paths.length} block-machine states in ${graphMs.toFixed(0)} ms, best of 3)`,
      target: '>= 20x',
      met: ratio >= 20,
    });
  }
  const settings = verdictSettings();
  let t = Date.now();
  const one = await runSettings(settings, START_SCOPE, { workers: 1 });
  const oneMs = Date.now() - t;
  const states = one.reduce((n, r) => n + r.result.states, 0);
  const transitions = one.reduce((n, r) => n + r.result.transitions, 0);
  const oneRate = states / (oneMs / 1000);
  rows.push({
    measure: `start scope, all ${settings.length} settings, one core: distinct states per second`,
    value: `${Math.round(oneRate)} states/s (${states} states, ${transitions} transitions, ${Math.round(transitions / (oneMs / 1000))} transitions/s, ${(oneMs / 1000).toFixed(1)} s)`,
    target: '>= 100000',
    met: oneRate >= 100_000,
  });
  const cores = availableParallelism();
  t = Date.now();
  await runSettings(settings, START_SCOPE, { workers: cores });
  const manyMs = Date.now() - t;
  const speedup = oneMs / manyMs;
  rows.push({
    measure: `start scope, all settings, ${cores} worker threads: speed-up over one core`,
    value: `${speedup.toFixed(2)}x (${(manyMs / 1000).toFixed(1)} s)`,
    target: `near ${cores}x`,
    met: speedup >= 0.8 * cores,
  });
  return rows;
}

/** For bench/run.ts: runs this file in a child process and returns its rows. */
export function exploreRows(): Row[] {
  const child = spawnSync(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'explore.ts')], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`explore bench failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Row[];
}

if (require.main === module) {
  measure().then(
    (rows) => process.stdout.write(`${JSON.stringify(rows)}\n`),
    (err) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
