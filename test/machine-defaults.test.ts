/**
 * What each machine assumes when its input leaves a field out: the trace
 * format's default variant (rfc-v2, TRACE-FORMAT "config"), the kernel's
 * policies (DOMAIN 8), a HugeTLB file whose pages start shared, and a pool
 * holding just the block's reservation. The inspector, the diagrams and the
 * tables start the machines with no input; a default that drifted from
 * these would show another tree than the one named.
 */
import { blockContext } from '../machines/block.machine';
import { folioContext } from '../machines/folio.machine';
import { DEFAULT_POLICY } from '../machines/policy';
import { rangeContext } from '../machines/range.machine';
import { planProfileOf } from '../machines/block.plan';
import { profileOf } from '../machines/variant';

describe('the machines with no input', () => {
  it('the folio machine answers as rfc-v2 under the kernel\'s policies', () => {
    const rfc = profileOf('rfc-v2');
    expect(folioContext(undefined)).toEqual({
      split: DEFAULT_POLICY.split,
      restore: DEFAULT_POLICY.restore,
      truncateWhilePinned: DEFAULT_POLICY.truncateWhilePinned,
      evict: rfc.evict,
      allocSplitFailure: rfc.allocSplitFailure,
    });
    expect(folioContext({})).toEqual(folioContext(undefined));
  });

  it('the range machine is a page of a HugeTLB file created shared, under the kernel\'s policies', () => {
    expect(rangeContext(undefined)).toEqual({
      initial: 'shared',
      hugetlb: true,
      afterTruncate: DEFAULT_POLICY.afterTruncate,
      truncateWhilePinned: DEFAULT_POLICY.truncateWhilePinned,
    });
    expect(rangeContext({ initial: 'private', hugetlb: false })).toMatchObject({ initial: 'private', hugetlb: false });
  });

  it('the block machine is rfc-v2\'s HugeTLB block, created shared, with one huge page: its reservation', () => {
    const bare = blockContext(2, undefined);
    expect(bare).toEqual(blockContext(2, { variant: 'rfc-v2', initial: 'shared', policy: DEFAULT_POLICY, spareHugePages: 0 }));
    expect(bare).toMatchObject({ n: 2, hugetlb: true, available: 1, initial: 'shared', splitArmed: false, pins: [0, 0], retiredPins: [0, 0] });
    expect(bare).toMatchObject(planProfileOf('rfc-v2'));
    expect(blockContext(2, { spareHugePages: 2 }).available).toBe(3);
    expect(blockContext(3, { variant: 'wip-2025-12', initial: 'private', policy: { split: 'lazy' } })).toMatchObject({
      n: 3,
      initial: 'private',
      split: 'lazy',
      evict: profileOf('wip-2025-12').evict,
      ...planProfileOf('wip-2025-12'),
    });
  });
});
