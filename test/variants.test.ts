/**
 * DOMAIN.md section 7.1 and 7.2, one test per row, each run under every
 * variant: what the kernel trees do differently, outcome by outcome. The
 * expectations come from the profile table (machines/variant.ts), so a row
 * here and the generated SPEC.md table say the same thing.
 */
import type { Variant } from '../machines/policy';
import { formatField, profileOf, VARIANTS } from '../machines/variant';
import { runSteps } from './support/run-steps';

const MiB = 1 << 20;
const GiB = 1 << 30;
const P = 4096;
const create = (size: number, ...flags: string[]) => ({ op: 'create', size, flags });
const ALL: Variant[] = [...VARIANTS];
const HUGE: Variant[] = ALL.filter((v) => profileOf(v).hugetlb);
const huge = (v: Variant) => profileOf(v).hugetlb;
/** The trees whose files a host can map (the `mmap` create flag); mainline-6.12 knows no flag (DOMAIN 7.4). */
const HOSTED: Variant[] = ALL.filter((v) => profileOf(v).createFlags.includes('mmap'));
const mmapFlag = (variant: Variant) => (profileOf(variant).createFlags.includes('mmap') ? ['mmap'] : []);
const broken = (r: { violations: Array<{ invariant: string }> }) => [...new Set(r.violations.map((x) => x.invariant))].sort();

/** A HugeTLB file where the variant has huge pages, a 4K file where it does not; with `mmap` where the tree knows it. */
const hugeFlags = (variant: Variant, ...more: string[]) => (huge(variant) ? ['mmap', 'hugetlb', ...more] : [...mmapFlag(variant), ...more]);

describe('row: huge pages (2M, 1G; none in-place)', () => {
  it.each(ALL)('%s', (variant) => {
    const two = runSteps({ variant, hugePageSize: 2 * MiB, poolHugePages: 1 }, [create(2 * MiB, 'hugetlb')]);
    const one = runSteps({ variant, hugePageSize: GiB, poolHugePages: 1 }, [create(GiB, 'hugetlb')]);
    const expected = huge(variant) ? ['ok'] : ['EINVAL'];
    expect(two.outcomes).toEqual(expected);
    expect(one.outcomes).toEqual(expected);
  });
});

describe('row: flags (hugetlb + init-shared EINVAL in WIP; init-shared needs mmap in rfc-v2)', () => {
  it.each(ALL)('%s', (variant) => {
    const both = runSteps({ variant, poolHugePages: 1 }, [create(2 * MiB, 'mmap', 'hugetlb', 'init-shared')]);
    expect(both.outcomes).toEqual([variant === 'rfc-v2' ? 'ok' : 'EINVAL']);
    const noMmap = runSteps({ variant }, [create(2 * P, 'init-shared')]);
    expect(noMmap.outcomes).toEqual([variant === 'rfc-v2' || !profileOf(variant).createFlags.includes('init-shared') ? 'EINVAL' : 'ok']);
  });
});

describe('row: convert on a file without mmap (rfc-v2: 0 and nothing recorded, K8)', () => {
  it.each(ALL)('%s', (variant) => {
    const r = runSteps({ variant }, [{ ...create(2 * MiB), flags: hugeFlags(variant).filter((f) => f !== 'mmap') }, { op: 'convert', offset: 0, length: P, to: 'shared' }]);
    expect(r.outcomes).toEqual(['ok', 'ok']);
    expect(r.sim.file!.shareability(0)).toBe(variant === 'rfc-v2' ? 'private' : 'shared');
    expect(broken(r)).toEqual(variant === 'rfc-v2' ? ['INV-6'] : []);
  });
});

describe('row: fallocate and punch alignment (page; block in WIP)', () => {
  it.each(ALL)('%s', (variant) => {
    const r = runSteps({ variant }, [
      { ...create(4 * MiB), flags: hugeFlags(variant) },
      { op: 'fallocate', offset: P, length: P },
      { op: 'punchHole', offset: P, length: P },
      { op: 'fallocate', offset: 0, length: 2 * MiB },
      { op: 'punchHole', offset: 0, length: 2 * MiB },
    ]);
    const pageAligned = profileOf(variant).alignment === 'block' ? 'EINVAL' : 'ok';
    expect(r.outcomes).toEqual(['ok', pageAligned, pageAligned, 'ok', 'ok']);
    expect(r.violations).toEqual([]);
  });

  it('rfc-v2 rounds fallocate down to blocks: a page-aligned range inside one block allocates nothing', () => {
    const r = runSteps({ variant: 'rfc-v2' }, [create(4 * MiB, 'mmap', 'hugetlb'), { op: 'fallocate', offset: P, length: 2 * MiB }]);
    expect(r.sim.file!.allocatedBytes).toBe(2 * MiB);
    expect(r.sim.file!.isAllocated(2 * MiB / P)).toBe(false);
  });
});

describe('row: partial-block punch (rfc-v2 zeroes in place from the block start of a huge folio, K3; EINVAL in WIP)', () => {
  it.each(HOSTED)('%s', (variant) => {
    const r = runSteps({ variant }, [
      { ...create(2 * MiB), flags: hugeFlags(variant) },
      { op: 'convert', offset: 0, length: 2 * P, to: 'shared' },
      { op: 'hostWrite', offset: 0, fill: '5a', length: 2 * P },
      { op: 'punchHole', offset: P, length: P },
      { op: 'hostRead', offset: P - 1, length: 2 },
    ]);
    const wip = profileOf(variant).alignment === 'block';
    expect(r.outcomes).toEqual(['ok', 'ok', 'ok', wip ? 'EINVAL' : 'ok', wip ? 'ok, read 5a5a' : 'ok, read 5a00']);
    // rfc-v2 keeps the (split) folio and its PTEs; an in-place page is its own block and is freed.
    if (variant === 'rfc-v2') expect(r.sim.file!.isAllocated(1)).toBe(true);
    expect(r.violations).toEqual([]);
  });

  it('rfc-v2 in a huge folio: the zeroing starts at the block start and wipes private data before the range (K3)', () => {
    const r = runSteps({ variant: 'rfc-v2' }, [
      create(2 * MiB, 'mmap', 'hugetlb'),
      { op: 'guestWrite', offset: 0, fill: '77', length: P },
      { op: 'punchHole', offset: P, length: P },
      { op: 'guestRead', offset: 0, length: 1 },
    ]);
    expect(r.outcomes).toEqual(['ok', 'ok', 'ok', 'ok, read 00']);
    expect(broken(r)).toEqual(['INV-9']);
  });
});

describe('row: punch with HugeTLB (rfc-v2 per block; WIP all or nothing)', () => {
  it.each(HUGE)('%s', (variant) => {
    const r = runSteps({ variant }, [
      create(4 * MiB, 'mmap', 'hugetlb'),
      { op: 'convert', offset: 0, length: 4 * MiB, to: 'shared' },
      { op: 'hostWrite', offset: 0, data: '01' },
      { op: 'pin', offset: 2 * MiB },
      { op: 'punchHole', offset: 0, length: 4 * MiB },
    ]);
    expect(r.outcomes[4]).toBe('EAGAIN');
    expect(r.sim.file!.isAllocated(0)).toBe(profileOf(variant).punch === 'all-or-nothing');
  });
});

describe('row: convert with length 0 (returns 0 first in rfc-v2, else EINVAL)', () => {
  it.each(ALL)('%s', (variant) => {
    const r = runSteps({ variant }, [{ ...create(2 * MiB), flags: hugeFlags(variant) }, { op: 'convert', offset: 8 * MiB, length: 0, to: 'shared' }]);
    expect(r.outcomes).toEqual(['ok', variant === 'rfc-v2' ? 'ok' : 'EINVAL']);
  });
});

describe('row: a failed convert (rolled back; per-block batches in WIP; nothing changed in-place)', () => {
  it.each(HOSTED)('%s', (variant) => {
    const blockBytes = huge(variant) ? 2 * MiB : P;
    const r = runSteps({ variant }, [
      { ...create(2 * blockBytes), flags: hugeFlags(variant) },
      { op: 'convert', offset: 0, length: 2 * blockBytes, to: 'shared' },
      { op: 'pin', offset: blockBytes },
      { op: 'convert', offset: 0, length: 2 * blockBytes, to: 'private' },
    ]);
    expect(r.outcomes).toEqual(['ok', 'ok', 'ok', `EAGAIN errorOffset=${blockBytes}`]);
    // WIP keeps the batch before the failing one converted.
    expect(r.sim.file!.shareability(0)).toBe(profileOf(variant).convertUnit === 'block-batches' ? 'private' : 'shared');
    expect(r.violations).toEqual([]);
  });
});

describe('row: to-shared order against an injected split failure (K1 rfc-v2, K7 tdx-huge-v3)', () => {
  // The leaf is in block 1: an rfc-v2 work item starting in block 0 never returns (K10, below).
  it.each(ALL)('%s', (variant) => {
    const r = runSteps({ variant }, [
      { ...create(4 * MiB), flags: hugeFlags(variant) },
      { op: 'guestRead', offset: 2 * MiB, length: 1, access: 'private' },
      { op: 'inject', fault: 'split-enomem' },
      { op: 'convert', offset: 2 * MiB + P, length: P, to: 'shared' },
    ]);
    const file = r.sim.file!;
    const first = (2 * MiB) / P;
    if (!huge(variant)) {
      expect(r.outcomes).toEqual(['ok', 'ok, read 00', 'ok', 'ok']);
      expect(file.splitArmed).toBe(true); // nothing split, so the failure stays armed
      return;
    }
    expect(r.outcomes).toEqual(['ok', 'ok, read 00', 'ok', 'ENOMEM']);
    expect(file.shareability(first + 1)).toBe('private');
    expect(file.folioOrder(first + 1)).toBe(9);
    const order = profileOf(variant).toSharedOrder;
    // split-then-zap: nothing was zapped; zap-then-split: the leaf went whole; split zap: 4k outside the range.
    expect(file.blocks[1]!.guestHuge).toBe(order === 'split-then-zap');
    expect(file.guest4k.has(first)).toBe(order === 'split-zap-then-split');
    expect(broken(r)).toEqual(order === 'split-then-zap' ? [] : ['INV-12']);
  });

  it('rfc-v2: the rollback of a work item starting in block 0 never returns (K10); the WIP trees fail ENOMEM', () => {
    for (const variant of HUGE) {
      const r = runSteps({ variant }, [
        create(2 * MiB, 'mmap', 'hugetlb'),
        { op: 'fallocate', offset: 0, length: 2 * MiB },
        { op: 'inject', fault: 'split-enomem' },
        { op: 'convert', offset: P, length: P, to: 'shared' },
      ]);
      expect(r.outcomes.at(-1)).toMatch(profileOf(variant).splitRollback === 'merge-item-unconditionally' ? /^HANG: never returns .*K10/ : /^ENOMEM$/);
    }
  });
});

describe('row: stage-2 zap of a to-shared conversion (whole leaf; tdx-huge-v3 splits the leaf to 4k)', () => {
  it.each(HUGE)('%s', (variant) => {
    const r = runSteps({ variant }, [
      create(2 * MiB, 'mmap', 'hugetlb'),
      { op: 'guestRead', offset: 0, length: 1 },
      { op: 'convert', offset: P, length: P, to: 'shared' },
      { op: 'check', expect: { pages: [{ offset: 0, guestMapping: profileOf(variant).zapLeaf === 'whole-leaf' ? 'none' : '4k' }, { offset: P, guestMapping: 'none' }] } },
    ]);
    expect(r.outcomes).toEqual(['ok', 'ok, read 00', 'ok', 'check ok']);
  });

  it('inplace-v13 zaps only the pages that change on tdx (mirror roots), the whole range elsewhere; inplace-v8 the whole range', () => {
    for (const variant of ['inplace-v13', 'inplace-v8'] as const) {
      for (const vmType of ['sw-protected', 'tdx', 'snp'] as const) {
        const r = runSteps({ variant, vmType }, [
          create(2 * P, 'mmap'),
          { op: 'convert', offset: 0, length: P, to: 'shared' },
          { op: 'guestRead', offset: 0, length: 2 * P },
          { op: 'convert', offset: 0, length: 2 * P, to: 'private' },
          { op: 'check', expect: { pages: [{ offset: 0, guestMapping: 'none' }, { offset: P, guestMapping: variant === 'inplace-v13' && vmType === 'tdx' ? '4k' : 'none' }] } },
        ]);
        expect([variant, vmType, r.outcomes.at(-1)]).toEqual([variant, vmType, 'check ok']);
      }
    }
  });
});

describe('row: merge on to-private (never in wip-2025-12: K4)', () => {
  it.each(HUGE)('%s', (variant) => {
    const merges = profileOf(variant).mergeOnToPrivate;
    const allocated = runSteps({ variant }, [
      create(2 * MiB, 'mmap', 'hugetlb'),
      { op: 'fallocate', offset: 0, length: 2 * MiB },
      { op: 'convert', offset: 0, length: P, to: 'shared' },
      { op: 'convert', offset: 0, length: P, to: 'private' },
    ]);
    expect(allocated.sim.file!.folioOrder(0)).toBe(merges ? 9 : 0);
    expect(broken(allocated)).toEqual(merges ? [] : ['INV-3']);
  });
});

describe('row: evict (rfc-v2: every split block through the wrapper; WIP merges unless pinned)', () => {
  it.each(HOSTED)('%s', (variant) => {
    const blockBytes = huge(variant) ? 2 * MiB : P;
    const r = runSteps({ variant }, [
      { ...create(2 * blockBytes), flags: hugeFlags(variant) },
      { op: 'convert', offset: 0, length: P, to: 'shared' },
      { op: 'hostWrite', offset: 0, data: '01' },
      { op: 'closeFd' },
      { op: 'check', expect: { open: true } },
      { op: 'munmap', offset: 0, length: 2 * blockBytes },
      { op: 'check', expect: { open: false } },
    ]);
    expect(r.outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'check ok', 'ok', 'check ok']);
    expect(r.sim.file!.pendingMerge).toBe(profileOf(variant).evict === 'wrapper-always' ? 1 : 0);
  });

  it('WIP: one pinned folio anywhere keeps every split block from merging', () => {
    for (const variant of ['wip-2025-12', 'tdx-huge-v3'] as const) {
      const r = runSteps({ variant }, [
        create(4 * MiB, 'mmap', 'hugetlb'),
        { op: 'convert', offset: 0, length: 4 * MiB, to: 'shared' },
        { op: 'hostWrite', offset: 0, data: '01' },
        { op: 'pin', offset: 2 * MiB },
        { op: 'close' },
      ]);
      expect(r.sim.file!.pendingMerge).toBe(2);
    }
  });
});

describe('row: split failure at allocation (rfc-v2 returns the block; WIP keeps the huge folio, K6)', () => {
  // A host access retries VM_FAULT_OOM (S-X86F): rfc-v2 allocates anew, WIP finds the huge folio; a pin (GUP) does not retry.
  it.each(HUGE)('%s', (variant) => {
    const r = runSteps({ variant }, [
      create(2 * MiB, 'mmap', 'hugetlb'),
      { op: 'convert', offset: 0, length: P, to: 'shared' },
      { op: 'inject', fault: 'split-enomem' },
      { op: 'hostWrite', offset: 0, data: '01' },
      { op: 'hostWrite', offset: 0, data: '01' },
    ]);
    const keeps = profileOf(variant).allocSplitFailure === 'keep-huge';
    expect(r.outcomes).toEqual(['ok', 'ok', 'ok', keeps ? 'SIGBUS' : 'ok', keeps ? 'SIGBUS' : 'ok']);
    expect(broken(r)).toEqual(keeps ? ['INV-2'] : []);
  });

  it.each(HUGE)('%s: a pin does not retry: ENOMEM', (variant) => {
    const r = runSteps({ variant }, [
      create(2 * MiB, 'mmap', 'hugetlb'),
      { op: 'convert', offset: 0, length: P, to: 'shared' },
      { op: 'inject', fault: 'split-enomem' },
      { op: 'pin', offset: 0 },
    ]);
    expect(r.outcomes.at(-1)).toBe('ENOMEM');
  });
});

describe('rows of mainline-6.12 (DOMAIN 7.4, S-ML612): create flags, attributes on the VM, shared memory in the memslot, st_blocks', () => {
  const IN_FILE = ALL.filter((v) => profileOf(v).attributes === 'file');

  it('create flags: every flag is EINVAL where the tree knows none (valid_flags 0); the others know all three', () => {
    for (const variant of ALL) {
      const known = profileOf(variant).createFlags;
      for (const flag of ['mmap', 'init-shared', 'hugetlb']) {
        const r = runSteps({ variant, poolHugePages: 1 }, [create(2 * MiB, flag)]);
        if (!known.includes(flag as never)) expect([variant, flag, r.outcomes]).toEqual([variant, flag, ['EINVAL']]);
      }
      expect(runSteps({ variant }, [create(2 * MiB)]).outcomes).toEqual(['ok']);
    }
    expect(ALL.filter((v) => profileOf(v).createFlags.length === 0)).toEqual(['mainline-6.12']);
  });

  it('attributes on the VM: convert works after closeFd and past the file\'s size; in the file it is EBADF and EINVAL', () => {
    for (const variant of ALL) {
      const vm = profileOf(variant).attributes === 'vm';
      const r = runSteps({ variant }, [
        { ...create(2 * P), flags: mmapFlag(variant) },
        { op: 'convert', offset: P, length: 2 * P, to: 'shared' },
        { op: 'convert', offset: 4 * P, length: P, to: 'shared' },
        { op: 'closeFd' },
        { op: 'convert', offset: 0, length: P, to: 'shared' },
      ]);
      expect([variant, r.outcomes]).toEqual([variant, vm ? ['ok', 'ok', 'ok', 'ok', 'ok'] : ['ok', 'EINVAL', 'EINVAL', 'ok', 'EBADF']]);
      if (vm) expect([r.sim.file!.shareability(0), r.sim.file!.shareability(1)]).toEqual(['shared', 'shared']);
      expect(r.violations).toEqual([]);
    }
    expect(IN_FILE.length).toBe(ALL.length - 1);
  });

  it('shared memory in the memslot: shared and private are two stores, a conversion copies nothing, a private page keeps its bytes while shared', () => {
    const r = runSteps({ variant: 'mainline-6.12' }, [
      create(2 * P),
      { op: 'guestWrite', offset: 0, fill: '11', length: 2 * P },
      { op: 'convert', offset: 0, length: 2 * P, to: 'shared' },
      { op: 'guestRead', offset: 0, length: 1 },
      { op: 'guestWrite', offset: 0, fill: '22', length: P },
      { op: 'convert', offset: 0, length: P, to: 'private' },
      { op: 'guestRead', offset: P - 1, length: 2 },
      { op: 'convert', offset: 0, length: P, to: 'shared' },
      { op: 'guestRead', offset: 0, length: 1 },
    ]);
    expect(r.outcomes).toEqual(['ok', 'ok', 'ok', 'ok, read 00', 'ok', 'ok', 'ok, read 1100', 'ok', 'ok, read 22']);
    // In the file the shared pages are the file's own: a conversion keeps the bytes (sw-protected).
    const inFile = runSteps({ variant: 'inplace-v13' }, [create(2 * P, 'mmap'), { op: 'guestWrite', offset: 0, fill: '11', length: P }, { op: 'convert', offset: 0, length: P, to: 'shared' }, { op: 'guestRead', offset: 0, length: 1 }]);
    expect(inFile.outcomes.at(-1)).toBe('ok, read 11');
    expect(r.violations).toEqual([]);
  });

  it('st_blocks stays 0 where the tree never counts it, and INV-11 is not asked', () => {
    for (const variant of ALL.filter((v) => !huge(v))) {
      const r = runSteps({ variant }, [{ ...create(2 * P), flags: mmapFlag(variant) }, { op: 'fallocate', offset: 0, length: 2 * P }, { op: 'guestRead', offset: 0, length: 1 }]);
      expect([variant, r.sim.file!.allocatedBytes]).toEqual([variant, profileOf(variant).stBlocks ? 2 * P : 0]);
      expect(r.violations).toEqual([]);
    }
  });
});

describe('a profile value as the spec\'s table prints it (formatField)', () => {
  it.each([
    [true, 'yes'],
    [false, 'no'],
    [['a', 'b'], 'a, b'],
    [[], 'none'],
    [{ only: 'tdx', by: 'K11' }, 'only: tdx; by: K11'],
    ['block', 'block'],
    [3, '3'],
  ])('%j reads %s', (value, text) => {
    expect(formatField(value)).toBe(text);
  });
});
