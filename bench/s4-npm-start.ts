/**
 * S4: `npm start` itself (target < 10 s on 2 cores), which is the walk and
 * then the explorer's verdict table; the same wall time against the budget
 * for that pair (< 1 minute); and the walk on
 * its own, checked to walk every path with none failing and nothing
 * uncovered.
 */
import type { BenchEntry, BenchRow } from './entry';
import { childTimeoutMs, GMEM, mb, npmStart, runNode, wallCpu } from './entry';

interface WalkJson {
  rows: Array<{ paths: number; steps: number; failed: number }>;
  complete: boolean;
}

function walkRows(): BenchRow[] {
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
    { id: 'S4', measure: 'S4 gmem walk alone: wall (cpu), peak RSS', value: `${wallCpu(run)}, ${mb(run.peakRss)}`, target: '(informative: npm start\'s first half)' },
  ];
}

export const s4: BenchEntry = {
  id: 'S4',
  title: 'npm start (gmem walk, then gmem explore --summary)',
  run() {
    const timeout = childTimeoutMs(300);
    const run = npmStart(timeout);
    const ran = !run.timedOut && run.status === 0;
    const last = run.stdout.trim().split('\n').pop() ?? '';
    const outcome = run.timedOut ? `stopped after ${timeout / 1000} s` : `exit ${run.status}${ran ? `: ${last}` : `: ${(run.stderr.trim().split('\n').pop() ?? '').slice(0, 160)}`}`;
    return [
      { id: 'S4', measure: 'S4 npm start: the walk and the explorer\'s verdicts, exit 0', value: outcome, target: 'exit 0', met: ran },
      { id: 'S4', measure: 'S4 npm start wall (cpu of every process), peak RSS', value: `${wallCpu(run)}, ${mb(run.peakRss)}`, target: '< 10000 ms', met: ran && run.wallMs < 10_000 },
      { id: 'S4', measure: 'S4 npm start against the budget for walk + explore', value: wallCpu(run), target: '< 60000 ms', met: ran && run.wallMs < 60_000 },
      ...walkRows(),
    ];
  },
};
