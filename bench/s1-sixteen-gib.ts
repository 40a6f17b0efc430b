/**
 * S1: 16 x 1 GiB blocks of 4 KiB pages: write one byte per block (the guest,
 * private), convert that page to shared (a 1 GiB folio split into 262,144),
 * read it from the host, convert it back (merge), punch every block, close,
 * settle. Replayed by `gmem replay` in a child process: wall time and peak
 * RSS are the whole process's, node start-up included.
 */
import type { BenchEntry } from './entry';
import { replayTraceRows } from './entry';

const GiB = 2 ** 30;
const PAGE = 4096;
const BLOCKS = 16;

/** The S1 trace's head: the viewer's bench (viewer-sixteen-gib.ts) loads the same trace. */
export const S1_HEAD = { name: 'bench-s1-sixteen-1gib-split-one-page', description: 'S1 of npm run bench', config: { variant: 'rfc-v2' as const, vmType: 'sw-protected' as const, pageSize: PAGE, hugePageSize: GiB } };

export function* s1Steps(): Generator<object> {
  const blocks = [...Array(BLOCKS).keys()];
  const at = (b: number) => b * GiB + PAGE * (1 + b * 37);
  yield { op: 'create', size: BLOCKS * GiB, flags: ['mmap', 'hugetlb'], expect: 'ok' };
  for (const b of blocks) yield { op: 'guestWrite', offset: at(b), data: 'a5', expect: 'ok' };
  for (const b of blocks) yield { op: 'convert', offset: at(b) - (at(b) % PAGE), length: PAGE, to: 'shared', expect: 'ok' };
  yield { op: 'check', expect: { pages: blocks.map((b) => ({ offset: at(b) - (at(b) % PAGE), shareability: 'shared', folioOrder: 0 })) } };
  for (const b of blocks) yield { op: 'hostRead', offset: at(b), length: 1, expect: { data: 'a5' } };
  for (const b of blocks) yield { op: 'convert', offset: at(b) - (at(b) % PAGE), length: PAGE, to: 'private', expect: 'ok' };
  for (const b of blocks) yield { op: 'punchHole', offset: b * GiB, length: GiB, expect: 'ok' };
  yield { op: 'check', expect: { allocatedBytes: 0 } };
  yield { op: 'close', expect: 'ok' };
  yield { op: 'settle', expect: 'ok' };
  yield { op: 'check', expect: { hugetlb: { free: BLOCKS }, pendingMerge: 0, open: false } };
}

export const s1: BenchEntry = {
  id: 'S1',
  title: '16 x 1 GiB: split one page per block and back, punch, close, settle',
  run() {
    return replayTraceRows('S1', '16 x 1 GiB split/merge trace', S1_HEAD, s1Steps(), { wallMs: 1000, rssMb: 150, timeoutS: 120 });
  },
};
