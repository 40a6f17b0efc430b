/**
 * S2: host writes to distinct pages of a 1 GiB file (2 MiB huge pages,
 * shared), 10k, 100k and 1M steps: the time per step must not grow with the
 * trace. Each trace is generated into a temporary directory and replayed by
 * `gmem replay` in a child process. Time per step is the child's wall time
 * less that of the same trace with one write (start-up, loading), per step.
 * A 1 GiB file has 262,144 pages: past that, each pass writes the next byte
 * of every page again, so no two steps write the same byte.
 */
import { join } from 'node:path';
import type { BenchEntry, BenchRow, ChildRun } from './entry';
import { childTimeoutMs, GMEM, mb, ms, replayVerdict, runNode, tempDir, wallCpu } from './entry';
import { writeTraceFile } from './trace-writer';

const GiB = 2 ** 30;
const PAGE = 4096;
const PAGES = GiB / PAGE;
export const S2_SIZES = [10_000, 100_000, 1_000_000] as const;

export function* s2Steps(writes: number): Generator<object> {
  yield { op: 'create', size: GiB, flags: ['mmap', 'init-shared', 'hugetlb'], expect: 'ok' };
  for (let i = 0; i < writes; i++) {
    const page = i % PAGES;
    const byte = Math.floor(i / PAGES);
    yield { op: 'hostWrite', offset: page * PAGE + byte, data: (i & 0xff).toString(16).padStart(2, '0'), expect: 'ok' };
  }
}

function replay(dir: string, writes: number, timeoutMs: number): ChildRun {
  const file = join(dir, `s2-${writes}.json`);
  writeTraceFile(file, { name: `bench-s2-${writes}-host-writes`, description: 'S2 of npm run bench', config: { variant: 'rfc-v2', vmType: 'sw-protected' } }, s2Steps(writes));
  return runNode([GMEM, 'replay', file], timeoutMs);
}

export const s2: BenchEntry = {
  id: 'S2',
  title: 'host writes to distinct pages of a 1 GiB file: 10k, 100k, 1M steps',
  run() {
    const tmp = tempDir('gmem-bench-s2-');
    try {
      const timeout = childTimeoutMs(90);
      const base = replay(tmp.dir, 1, timeout);
      const rows: BenchRow[] = [{ id: 'S2', measure: 'S2 start-up and load (a 1-write trace)', value: ms(base.wallMs), target: '(informative)' }];
      const perStep = new Map<number, { us: number; bound: boolean }>();
      for (const n of S2_SIZES) {
        const run = replay(tmp.dir, n, timeout);
        const verdict = replayVerdict(run, timeout);
        // A run stopped at the bound gives a lower bound on its time per step.
        perStep.set(n, { us: ((run.wallMs - base.wallMs) * 1000) / n, bound: run.timedOut });
        const per = perStep.get(n)!;
        rows.push({
          id: 'S2',
          measure: `S2 ${n.toLocaleString('en')} writes: wall, peak RSS, verdict`,
          value: `${run.timedOut ? '> ' : ''}${wallCpu(run)}, ${mb(run.peakRss)}, ${per.bound ? '>= ' : ''}${per.us.toFixed(1)} us/step; ${verdict.text}`,
          target: n === 1_000_000 ? '< 15000 ms, passes' : 'passes',
          met: verdict.pass && (n !== 1_000_000 || run.wallMs < 15_000),
        });
        // A bigger trace can only take longer: do not wait for it once one was stopped.
        if (run.timedOut) {
          for (const m of S2_SIZES.filter((m) => m > n)) {
            rows.push({ id: 'S2', measure: `S2 ${m.toLocaleString('en')} writes`, value: `not run: ${n.toLocaleString('en')} writes were stopped`, target: m === 1_000_000 ? '< 15000 ms' : 'passes', met: false });
          }
          break;
        }
      }
      const small = perStep.get(10_000);
      const mid = perStep.get(100_000);
      if (small && mid && !mid.bound) {
        rows.push({ id: 'S2', measure: 'S2 time per step at 100k / at 10k', value: `${(mid.us / small.us).toFixed(2)}x`, target: '(informative; the target is at 1M)' });
      }
      const large = perStep.get(1_000_000);
      const ratio = small && large ? large.us / small.us : undefined;
      rows.push({
        id: 'S2',
        measure: 'S2 time per step at 1M / at 10k',
        value: ratio === undefined ? 'not measured: 1M not run' : large!.bound ? 'not measured: 1M was stopped' : `${ratio.toFixed(2)}x (${large!.us.toFixed(1)} / ${small!.us.toFixed(1)} us)`,
        target: '<= 1.5x',
        met: ratio !== undefined && !large!.bound && ratio <= 1.5,
      });
      return rows;
    } finally {
      tmp.remove();
    }
  },
};
