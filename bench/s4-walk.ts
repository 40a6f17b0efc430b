/**
 * S4: `npm start` (gmem walk) as a child process: its wall time, and that
 * it still walks every path with none failing and nothing uncovered.
 */
import type { BenchEntry } from './entry';
import { childTimeoutMs, GMEM, mb, runNode, wallCpu } from './entry';

interface WalkJson {
  rows: Array<{ paths: number; steps: number; failed: number }>;
  complete: boolean;
}

export const s4: BenchEntry = {
  id: 'S4',
  title: 'npm start (gmem walk)',
  run() {
    const timeout = childTimeoutMs(120);
    const run = runNode([GMEM, 'walk', '--json'], timeout);
    let summary = run.timedOut ? `stopped after ${timeout / 1000} s` : `exit ${run.status}`;
    let ok = false;
    if (!run.timedOut && run.stdout.trim()) {
      try {
        const walk = JSON.parse(run.stdout) as WalkJson;
        const sum = (k: 'paths' | 'steps' | 'failed') => walk.rows.reduce((n, r) => n + r[k], 0);
        ok = run.status === 0 && walk.complete && sum('failed') === 0;
        summary = `${sum('paths').toLocaleString('en')} paths, ${sum('steps').toLocaleString('en')} steps, ${sum('failed')} failed, coverage ${walk.complete ? 'complete' : 'incomplete'}`;
      } catch {
        summary = `exit ${run.status}: output is not the walk's JSON`;
      }
    }
    return [
      { id: 'S4', measure: 'S4 gmem walk: every path passes, coverage complete', value: summary, target: '0 failed, complete', met: ok },
      { id: 'S4', measure: 'S4 gmem walk wall (cpu), peak RSS', value: `${wallCpu(run)}, ${mb(run.peakRss)}`, target: '< 10000 ms', met: !run.timedOut && run.wallMs < 10_000 },
    ];
  },
};
