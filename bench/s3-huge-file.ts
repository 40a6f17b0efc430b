/**
 * S3: a 64 TiB file of 2 MiB huge pages (2^25 blocks, 2^34 pages of 4 KiB):
 * create, then 10,000 random conversions, faults, pins and punches spread
 * over the whole file, then close and settle. The operations are seeded
 * (GMEM_SEED when set) and their outcomes not checked (`expect` omitted:
 * which of them the model refuses is not what is measured); every invariant
 * still is, after every step. Replayed by `gmem replay` in a child process.
 */
import type { BenchEntry } from './entry';
import { replayTraceRows } from './entry';
import { seededRandom } from './trace-writer';

const TiB = 2 ** 40;
const MiB = 2 ** 20;
const PAGE = 4096;
const HUGE = 2 * MiB;
const SIZE = 64 * TiB;
const BLOCKS = SIZE / HUGE;
const OPS = 10_000;

export function* s3Steps(seed: number): Generator<object> {
  const random = seededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  // A few hundred blocks take most operations, so conversions meet faults and pins; the rest land anywhere.
  const hot = Array.from({ length: 256 }, () => pick(BLOCKS));
  const block = () => (random() < 0.7 ? hot[pick(hot.length)]! : pick(BLOCKS));
  const page = (b: number) => b * HUGE + pick(HUGE / PAGE) * PAGE;
  yield { op: 'create', size: SIZE, flags: ['mmap', 'hugetlb'], expect: 'ok' };
  for (let i = 0; i < OPS; i++) {
    const b = block();
    const kind = pick(10);
    const to = random() < 0.5 ? 'shared' : 'private';
    switch (kind) {
      case 0:
      case 1:
        yield { op: 'convert', offset: page(b), length: PAGE, to };
        break;
      case 2:
        yield { op: 'convert', offset: b * HUGE, length: HUGE, to };
        break;
      case 3:
      case 4:
        yield { op: 'guestWrite', offset: page(b), data: 'a5' };
        break;
      case 5:
        yield { op: 'hostWrite', offset: page(b), data: '5a', process: pick(4) };
        break;
      case 6:
        yield { op: 'pin', offset: page(b), process: pick(4) };
        break;
      case 7:
        yield { op: 'unpin', offset: page(b) };
        break;
      case 8:
        yield { op: 'guestRead', offset: page(b), length: 1 };
        break;
      default:
        yield { op: 'punchHole', offset: b * HUGE, length: HUGE };
    }
  }
  yield { op: 'close' };
  yield { op: 'settle' };
}

export const s3: BenchEntry = {
  id: 'S3',
  title: '64 TiB file, 2 MiB pages: 10,000 random operations over the file',
  run() {
    const seed = Number(process.env['GMEM_SEED'] ?? 10);
    // Random guest writes, conversions and faults on rfc-v2 meet its K2 (a merge keeps sub-folio 0's
    // uptodate, a guest fault then zeroes the whole folio): INV-9, tagged K2, is declared so that the
    // replay runs every step; any other violation still fails it.
    const head = { name: 'bench-s3-64tib-random', description: `S3 of npm run bench, seed ${seed}`, config: { variant: 'rfc-v2', vmType: 'sw-protected', pageSize: PAGE, hugePageSize: HUGE }, expectViolation: ['INV-9'] };
    return replayTraceRows('S3', `64 TiB trace (seed ${seed})`, head, s3Steps(seed), { wallMs: 2000, rssMb: 200, timeoutS: 60 });
  },
};
