/**
 * The 16 x 1 GiB trace: touch one byte per block, convert every block, punch
 * every block. Run in a fresh process so peak RSS is this trace's alone.
 * Prints one JSON line: wall milliseconds, peak RSS bytes, and whether it passed.
 */
import { runTrace } from '../src/trace/replay';
import { traceSchema } from '../src/trace/schema';

const GiB = 1 << 30;
const BLOCKS = 16;

export function sixteenGibTrace() {
  const blocks = [...Array(BLOCKS).keys()];
  return traceSchema.parse({
    format: 'gmem-trace/1',
    name: 'sixteen-1gib-blocks',
    config: { variant: 'rfc-v2', vmType: 'sw-protected', pageSize: 4096, hugePageSize: GiB },
    steps: [
      { op: 'create', size: BLOCKS * GiB, flags: ['mmap', 'init-shared', 'hugetlb'], expect: 'ok' },
      // Page 0 of each block: rfc-v2's merged folio takes sub-folio 0's PG_uptodate, so a byte written
      // anywhere else would be wiped by the guest fault's whole-folio zeroing (K2), and the trace would fail.
      ...blocks.map((b) => ({ op: 'hostWrite', offset: b * GiB, data: 'a5', expect: 'ok' })),
      ...blocks.map((b) => ({ op: 'convert', offset: b * GiB, length: GiB, to: 'private', expect: 'ok' })),
      { op: 'check', expect: { pages: blocks.map((b) => ({ offset: b * GiB, folioOrder: 18, shareability: 'private' })), allocatedBytes: BLOCKS * GiB } },
      ...blocks.map((b) => ({ op: 'guestRead', offset: b * GiB, length: 1, expect: { data: 'a5' } })),
      ...blocks.map((b) => ({ op: 'punchHole', offset: b * GiB, length: GiB, expect: 'ok' })),
      { op: 'check', expect: { allocatedBytes: 0, hugetlb: { free: BLOCKS, rsvd: BLOCKS } } },
    ],
  });
}

if (require.main === module) {
  const trace = sixteenGibTrace();
  const start = process.hrtime.bigint();
  const result = runTrace(trace);
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ wallMs, peakRss, pass: result.pass, failure: result.failure })}\n`);
}
