/**
 * DOMAIN.md section 7, one test per row, each run under every variant: what
 * the kernel lineages do differently, outcome by outcome.
 */
import type { Variant } from '../machines/policy';
import { runSteps } from './support/run-steps';

const MiB = 1 << 20;
const GiB = 1 << 30;
const P = 4096;
const create = (size: number, ...flags: string[]) => ({ op: 'create', size, flags });
const VARIANTS: Variant[] = ['rfc-v2', 'wip-2025-12', 'inplace-v8'];

/** A HugeTLB file where the variant has huge pages, a 4K file where it does not. */
const hugeFlags = (variant: Variant, ...more: string[]) => (variant === 'inplace-v8' ? ['mmap', ...more] : ['mmap', 'hugetlb', ...more]);

describe('row: huge pages (2M, 1G; none in inplace-v8)', () => {
  it.each(VARIANTS)('%s', (variant) => {
    const two = runSteps({ variant, hugePageSize: 2 * MiB, poolHugePages: 1 }, [create(2 * MiB, 'hugetlb')]);
    const one = runSteps({ variant, hugePageSize: GiB, poolHugePages: 1 }, [create(GiB, 'hugetlb')]);
    const expected = variant === 'inplace-v8' ? ['EINVAL'] : ['ok'];
    expect(two.outcomes).toEqual(expected);
    expect(one.outcomes).toEqual(expected);
  });
});

describe('row: hugetlb with init-shared (allowed in rfc-v2, EINVAL in wip-2025-12)', () => {
  it.each(VARIANTS)('%s', (variant) => {
    const r = runSteps({ variant, poolHugePages: 1 }, [create(2 * MiB, 'mmap', 'hugetlb', 'init-shared')]);
    expect(r.outcomes).toEqual([variant === 'rfc-v2' ? 'ok' : 'EINVAL']);
  });
});

describe('row: fallocate and punch alignment (page; block in wip-2025-12)', () => {
  it.each(VARIANTS)('%s', (variant) => {
    const r = runSteps({ variant }, [
      { ...create(4 * MiB), flags: hugeFlags(variant) },
      { op: 'fallocate', offset: P, length: P },
      { op: 'punchHole', offset: P, length: P },
      { op: 'fallocate', offset: 0, length: 2 * MiB },
      { op: 'punchHole', offset: 0, length: 2 * MiB },
    ]);
    const pageAligned = variant === 'wip-2025-12' ? 'EINVAL' : 'ok';
    expect(r.outcomes).toEqual(['ok', pageAligned, pageAligned, 'ok', 'ok']);
    expect(r.violations).toEqual([]);
  });

  it('rfc-v2 rounds fallocate down to blocks: a page-aligned range inside one block allocates nothing', () => {
    const r = runSteps({ variant: 'rfc-v2' }, [create(4 * MiB, 'mmap', 'hugetlb'), { op: 'fallocate', offset: P, length: 2 * MiB }]);
    expect(r.sim.file!.allocatedBytes).toBe(2 * MiB);
    expect(r.sim.file!.isAllocated(2 * MiB / P)).toBe(false);
  });
});

describe('row: partial-block punch (zeroes in place in rfc-v2; EINVAL in wip-2025-12; n/a in inplace-v8)', () => {
  it.each(VARIANTS)('%s', (variant) => {
    const r = runSteps({ variant }, [
      { ...create(2 * MiB), flags: hugeFlags(variant, 'init-shared').filter((f) => !(variant === 'wip-2025-12' && f === 'init-shared')) },
      { op: 'convert', offset: 0, length: 2 * P, to: 'shared' },
      { op: 'hostWrite', offset: 0, fill: '5a', length: 2 * P },
      { op: 'punchHole', offset: P, length: P },
      { op: 'hostRead', offset: P - 1, length: 2 },
    ]);
    const punched = variant === 'wip-2025-12' ? 'EINVAL' : 'ok';
    const read = variant === 'wip-2025-12' ? 'ok, read 5a5a' : 'ok, read 5a00';
    expect(r.outcomes).toEqual(['ok', 'ok', 'ok', punched, read]);
    // rfc-v2 keeps the folio; inplace-v8's page is its own block and is freed.
    if (variant === 'rfc-v2') expect(r.sim.file!.isAllocated(1)).toBe(true);
  });
});

describe('row: convert with length 0 (returns 0 in rfc-v2, else EINVAL)', () => {
  it.each(VARIANTS)('%s', (variant) => {
    const r = runSteps({ variant }, [{ ...create(2 * MiB), flags: hugeFlags(variant) }, { op: 'convert', offset: 0, length: 0, to: 'shared' }]);
    expect(r.outcomes).toEqual(['ok', variant === 'rfc-v2' ? 'ok' : 'EINVAL']);
  });
});

describe('row: a failed convert (rolled back; per-block batches in wip-2025-12; nothing changed in inplace-v8)', () => {
  it.each(VARIANTS)('%s', (variant) => {
    const blockBytes = variant === 'inplace-v8' ? P : 2 * MiB;
    const r = runSteps({ variant }, [
      { ...create(2 * blockBytes), flags: hugeFlags(variant) },
      { op: 'convert', offset: 0, length: 2 * blockBytes, to: 'shared' },
      { op: 'pin', offset: blockBytes },
      { op: 'convert', offset: 0, length: 2 * blockBytes, to: 'private' },
    ]);
    expect(r.outcomes).toEqual(['ok', 'ok', 'ok', `EAGAIN errorOffset=${blockBytes}`]);
    // Only wip-2025-12 keeps the block before the failing one converted.
    expect(r.sim.file!.shareability(0)).toBe(variant === 'wip-2025-12' ? 'private' : 'shared');
    expect(r.violations).toEqual([]);
  });
});

describe('row: split against the stage-2 zap (rfc-v2 splits first; wip-2025-12 zaps first; inplace-v8 never splits)', () => {
  it.each(VARIANTS)('%s', (variant) => {
    const r = runSteps({ variant }, [
      { ...create(2 * MiB), flags: hugeFlags(variant) },
      { op: 'guestRead', offset: 0, length: 1, access: 'private' },
      { op: 'inject', fault: 'split-enomem' },
      { op: 'convert', offset: P, length: P, to: 'shared' },
    ]);
    const file = r.sim.file!;
    if (variant === 'inplace-v8') {
      expect(r.outcomes).toEqual(['ok', 'ok, read 00', 'ok', 'ok']);
      expect(file.splitArmed).toBe(true); // nothing split, so the failure stays armed
      return;
    }
    expect(r.outcomes).toEqual(['ok', 'ok, read 00', 'ok', 'ENOMEM']);
    expect(file.shareability(1)).toBe('private');
    expect(file.folioOrder(1)).toBe(9);
    if (variant === 'rfc-v2') {
      expect(file.blocks[0]!.guestHuge).toBe(true);
      expect(r.violations).toEqual([]);
    } else {
      expect(file.blocks[0]!.guestHuge).toBe(false);
      expect(file.guest4k.has(1)).toBe(false);
    }
  });
});

describe('row: deferred merge (allocator wrapper and worker; n/a in inplace-v8)', () => {
  it.each(VARIANTS)('%s', (variant) => {
    const r = runSteps({ variant }, [
      { ...create(2 * MiB), flags: hugeFlags(variant) },
      { op: 'convert', offset: 0, length: P, to: 'shared' },
      { op: 'pin', offset: 0 },
      { op: 'close' },
    ]);
    const file = r.sim.file!;
    expect(r.outcomes).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(file.pendingMerge).toBe(variant === 'inplace-v8' ? 0 : 1);
  });
});
