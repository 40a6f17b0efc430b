/**
 * The per-folio split/merge lifecycle of one HugeTLB block.
 *
 * Two regions. `file` is the folio the file holds for the block: none, an
 * intact huge folio, N order-0 folios after a split, or (restore=inode-held)
 * a split block the inode keeps after close. `wrapper` is the allocator
 * wrapper of the deck on restore (S-V2h guestmem_hugetlb.c, S-W
 * hugetlb_restructuring.c): it takes split folios that leave the file while
 * sub-folios are still referenced, counts their folio_put callbacks, and when
 * the merge worker runs, merges them and returns them to the pool at their
 * original order. The regions are separate because the file may take a new
 * block (truncateWhilePinned=defer) while the old one still waits there.
 *
 * Guards read facts from the event (pinned? pool empty? injected split
 * failure?) and policies from the context, so the machine stays pure. Arena
 * effects are named actions (`takeFromPool`, `split`, ...) that emit `effect`;
 * the simulator applies them where the machine says.
 */
import { and, emit, enqueueActions, setup, stateIn } from 'xstate';
import type { Refusal, RefusedEvent } from './outcome';
import type { Restore, SplitPolicy, TruncateWhilePinned } from './policy';
import { DEFAULT_POLICY } from './policy';
import type { VariantProfile } from './variant';

export type FolioEvent =
  /** guest fault or fallocate needs the block: take a huge page from the pool (S-V2h). */
  | { type: 'ALLOC'; anyShared: boolean; poolEmpty: boolean; splitFails?: boolean }
  /**
   * host fault or pin on a shared page of the block: the block must be split now (INV-2).
   * `userFault`: a host access, whose VM_FAULT_OOM the x86 fault path retries (S-X86F).
   */
  | { type: 'SHARED_FAULT'; poolEmpty: boolean; splitFails?: boolean; gup?: boolean; userFault?: boolean }
  /**
   * a page of the block converts to shared; `fails`: undoing the vmemmap optimisation cannot allocate;
   * `rollbackWraps`: the tree's rollback of that failure starts its work item in block 0 (rfc-v2, K10).
   */
  | { type: 'SPLIT'; fails: boolean; rollbackWraps?: boolean }
  /**
   * the block became all-private; `pinned`: some sub-folio holds extra references.
   * `unconditional`: rfc-v2's rollback merge (kvm_gmem_merge_folio_in_filemap), which waits for
   * `referenced` (host-mapped or pinned) sub-folios instead of refusing (K9, K10).
   */
  | { type: 'MERGE'; pinned: boolean; unconditional?: boolean; referenced?: boolean }
  /** fallocate(PUNCH_HOLE) over the whole block (S-V2g, S-39). */
  | { type: 'TRUNCATE'; pinned: boolean }
  /** inode eviction once the last reference is gone (S-V2c, S-W); `filePinned`: some folio anywhere in the file is pinned. */
  | { type: 'EVICT_BLOCK'; pinned: boolean; filePinned?: boolean }
  /** folio_put of a sub-folio held by the wrapper; `last`: no sub-folio there is referenced any more. */
  | { type: 'SUBFOLIO_FREED'; last: boolean }
  /** the merge worker runs (a workqueue; the model runs it on settle). */
  | { type: 'SETTLE' }
  /** internal: the file hands a split block to the wrapper. */
  | { type: 'HANDOFF' };

export type FolioEventType = FolioEvent['type'];

export interface FolioInput {
  split?: SplitPolicy;
  restore?: Restore;
  truncateWhilePinned?: TruncateWhilePinned;
  /** the tree's eviction of split blocks (machines/variant.ts `evict`). */
  evict?: VariantProfile['evict'];
  /** the tree's answer to a failed split at allocation (machines/variant.ts `allocSplitFailure`). */
  allocSplitFailure?: VariantProfile['allocSplitFailure'];
}
export type FolioContext = Required<FolioInput>;

export const FOLIO_FILE_STATES = ['none', 'huge', 'split', 'heldByInode'] as const;
export const FOLIO_WRAPPER_STATES = ['empty', 'counting', 'mergeable'] as const;
export type FolioFileState = (typeof FOLIO_FILE_STATES)[number];
export type FolioWrapperState = (typeof FOLIO_WRAPPER_STATES)[number];

const refuse = (errno: Refusal['errno']) => ({ type: 'refuse', params: { errno } }) as const;
const effect = (name: FolioEffect) => ({ type: 'effect', params: { name } }) as const;

export const FOLIO_EFFECTS = ['takeFromPool', 'split', 'merge', 'freeToPool', 'handToWrapper', 'mergeAndReturn', 'splitFailed'] as const;
export type FolioEffect = (typeof FOLIO_EFFECTS)[number];

export const folioGuards = {
  poolEmpty: ({ event }: { event: FolioEvent }) => 'poolEmpty' in event && event.poolEmpty,
  /** eager split at allocation when the block holds a shared page (INV-2); lazy leaves it huge. */
  splitAtAllocation: ({ context, event }: { context: FolioContext; event: FolioEvent }) =>
    event.type === 'ALLOC' && event.anyShared && context.split === 'eager',
  lazySplit: ({ context }: { context: FolioContext }) => context.split === 'lazy',
  splitFails: ({ event }: { event: FolioEvent }) => event.type === 'SPLIT' && event.fails,
  rollbackWraps: ({ event }: { event: FolioEvent }) => event.type === 'SPLIT' && event.rollbackWraps === true,
  /** an unconditional merge over a referenced sub-folio: folio_ref_freeze never succeeds. */
  mergeSpins: ({ event }: { event: FolioEvent }) => event.type === 'MERGE' && event.unconditional === true && event.referenced === true,
  unconditionalMerge: ({ event }: { event: FolioEvent }) => event.type === 'MERGE' && event.unconditional === true,
  pinned: ({ event }: { event: FolioEvent }) => 'pinned' in event && event.pinned,
  pinnedTruncateRefused: ({ context, event }: { context: FolioContext; event: FolioEvent }) =>
    event.type === 'TRUNCATE' && event.pinned && context.truncateWhilePinned === 'eagain',
  pinnedEvictHeldByInode: ({ context, event }: { context: FolioContext; event: FolioEvent }) =>
    event.type === 'EVICT_BLOCK' && event.pinned && context.restore === 'inode-held',
  lastSubfolio: ({ event }: { event: FolioEvent }) => event.type === 'SUBFOLIO_FREED' && event.last,
  /** an injected split failure meets an eager split at allocation (lazy splits never fail). */
  allocSplitFails: ({ context, event }: { context: FolioContext; event: FolioEvent }) =>
    (event.type === 'ALLOC' || event.type === 'SHARED_FAULT') && event.splitFails === true && context.split === 'eager',
  /** ... in a tree that keeps the huge folio in the file when that split fails (K6). */
  allocSplitFailsKeepingHuge: ({ context, event }: { context: FolioContext; event: FolioEvent }) =>
    (event.type === 'ALLOC' || event.type === 'SHARED_FAULT') && event.splitFails === true && context.split === 'eager' && context.allocSplitFailure === 'keep-huge',
  /** the tree keeps the huge folio in the file when a split at allocation fails (K6), which is how a huge folio ends up behind a shared page there (S-W __maybe_split_fresh_folio). */
  keepsHugeOnFailedSplit: ({ context }: { context: FolioContext }) => context.allocSplitFailure === 'keep-huge',
  /** eviction hands this split block to the wrapper: rfc-v2 always, WIP when any folio of the file is pinned. */
  evictToWrapper: ({ context, event }: { context: FolioContext; event: FolioEvent }) =>
    event.type === 'EVICT_BLOCK' && context.restore !== 'inode-held' && (context.evict === 'wrapper-always' || event.filePinned === true),
  /** a user fault (a host access): VM_FAULT_OOM re-executes the access (S-X86F pagefault_out_of_memory). */
  userFault: ({ event }: { event: FolioEvent }) => event.type === 'SHARED_FAULT' && event.userFault === true,
  /** the fault comes from GUP (a pin), which reports SIGBUS as EFAULT. */
  gup: ({ event }: { event: FolioEvent }) => event.type === 'SHARED_FAULT' && event.gup === true,
};

/** The two regions, with `root` the id path of the node holding them. */
export function folioStates(root: string) {
  const to = (path: string) => `#${root}.${path}`;
  const same = (why: string) => ({ description: why });
  const handOff = (why: string) => ({
    target: to('file.none'),
    actions: [effect('handToWrapper'), { type: 'handOff', params: { counting: `${root}.wrapper.counting` } }],
    description: why,
  });
  const nothingAllocated = {
    SPLIT: same('No folio: the conversion is recorded on the pages only (INV-6).'),
    MERGE: same('No folio: nothing to merge (S-V2c).'),
    TRUNCATE: same('No folio: the punch frees nothing and returns 0 (S-V2g).'),
    EVICT_BLOCK: same('No folio: nothing to free at eviction (S-V2c).'),
  };
  const splitFailsAtAllocation = [
    { guard: 'allocSplitFailsKeepingHuge', target: to('file.huge'), actions: [effect('takeFromPool'), effect('splitFailed'), refuse('ENOMEM')], description: 'The split of the fresh block fails after it was added to the file: ENOMEM, and the huge folio stays behind the shared page (K6; S-W __maybe_split_fresh_folio).' },
    { guard: 'allocSplitFails', actions: [effect('splitFailed'), refuse('ENOMEM')], description: 'The split of the fresh block fails: the block goes back to the pool and the fault is ENOMEM (S-V2c kvm_gmem_get_folio).' },
  ];
  const allocate = [
    { guard: 'poolEmpty', actions: refuse('ENOMEM'), description: 'No free huge page beyond other reservations: ENOMEM (S-V2h, DOMAIN 10).' },
    ...splitFailsAtAllocation.map((t) => ({ ...t, guard: and(['splitAtAllocation', t.guard]) })),
    { guard: 'splitAtAllocation', target: to('file.split'), actions: [effect('takeFromPool'), effect('split')], description: 'Allocation takes a whole huge folio and splits it at once because the block holds a shared page (INV-2; S-V2c, S-W).' },
    { target: to('file.huge'), actions: effect('takeFromPool'), description: 'Allocation takes a whole huge folio of the original order (S-V2h; the kernel has no partially allocated block).' },
  ];

  return {
    file: {
      description: 'The folio the file holds for this block (DOMAIN 3 folio[b]).',
      initial: 'none',
      states: {
        none: {
          description: 'No folio: the block\'s huge page is still in the pool, reserved for the file (DOMAIN 10).',
          on: {
            ALLOC: allocate,
            SHARED_FAULT: [
              { guard: 'poolEmpty', actions: refuse('ENOMEM'), description: 'No free huge page: ENOMEM, VM_FAULT_OOM for a host fault (S-ML kvm_gmem_fault_user_mapping; DOMAIN 4 host access).' },
              { guard: and(['userFault', 'allocSplitFailsKeepingHuge']), target: to('file.huge'), actions: [effect('takeFromPool'), effect('splitFailed'), refuse('SIGBUS')], description: 'A host access whose fresh block fails to split: VM_FAULT_OOM, which x86 retries (S-X86F pagefault_out_of_memory); the retry finds the huge folio K6 left (filemap_lock_folio, no split) and hits WARN_ON_ONCE(folio_test_large): SIGBUS (S-W __maybe_split_fresh_folio; DOMAIN 4, E3).' },
              { guard: and(['userFault', 'allocSplitFails']), target: to('file.split'), actions: [effect('splitFailed'), effect('takeFromPool'), effect('split')], description: 'A host access whose fresh block fails to split: the block went back to the pool (S-V2c kvm_gmem_get_folio) and VM_FAULT_OOM is retried (S-X86F); the injected failure was one-shot, so the retry allocates and splits (DOMAIN 4, E4).' },
              ...splitFailsAtAllocation,
              { target: to('file.split'), actions: [effect('takeFromPool'), effect('split')], description: 'A shared fault allocates the block and splits it at once, under either split policy (INV-2; TRACE-FORMAT policies).' },
            ],
            ...nothingAllocated,
          },
        },
        huge: {
          description: 'An intact huge folio of the original order (2 MiB: order 9, 1 GiB: order 18); every page of the block is private (INV-2) unless split=lazy.',
          on: {
            ALLOC: same('Already allocated: the block keeps its folio (S-V2h).'),
            SHARED_FAULT: [
              { guard: 'lazySplit', target: to('file.split'), actions: effect('split'), description: 'split=lazy ("fapending"): the deferred split happens at the first shared fault (the deck on fapending).' },
              { guard: 'gup', actions: refuse('EFAULT'), description: 'The same fault under GUP (a pin): the SIGBUS comes back as EFAULT (TRACE-FORMAT pin and unpin; K6).' },
              { guard: 'keepsHugeOnFailedSplit', actions: refuse('SIGBUS'), description: 'Eager split, in a tree that keeps the huge folio when a split at allocation fails: the huge folio behind a shared page is what that failure left (K6); a host fault on it hits WARN_ON_ONCE(folio_test_large) and SIGBUS (S-W __maybe_split_fresh_folio, kvm_gmem_fault_user_mapping).' },
              { actions: refuse('SIGBUS'), description: 'Eager split, in a tree that returns the block when a split at allocation fails: a huge folio behind a shared page is left by the rollback of a failed conversion, which merges the work item\'s earlier blocks whatever their pages\' shareability (K9); a host fault on it hits WARN_ON_ONCE(folio_test_large) and SIGBUS (S-V2c kvm_gmem_restructure_folios_in_range, S-ML kvm_gmem_fault_user_mapping).' },
            ],
            SPLIT: [
              { guard: 'lazySplit', ...same('split=lazy: the conversion leaves the folio huge until a shared fault, so users may wrongly map it huge (the deck on fapending; breaks INV-2, INV-4).') },
              { guard: and(['splitFails', 'rollbackWraps']), actions: [refuse('HANG'), effect('splitFailed')], description: 'The split fails and rfc-v2 rolls back the work item, which starts in block 0: `for (index -= N; index >= start; index -= N)` with an unsigned pgoff_t index and start 0 never ends, holding filemap_invalidate_lock: the conversion never returns (K10; S-V2c kvm_gmem_restructure_folios_in_range).' },
              { guard: 'splitFails', actions: [refuse('ENOMEM'), effect('splitFailed')], description: 'Splitting undoes the vmemmap optimisation, which allocates and can fail: ENOMEM (S-V2c; TRACE-FORMAT injected split failure).' },
              { target: to('file.split'), actions: effect('split'), description: 'Eager split during conversion to shared: the huge folio becomes N order-0 folios; no byte moves (the deck on fapending; INV-13; S-V2c, S-W).' },
            ],
            MERGE: same('Already huge: nothing to merge (S-V2c).'),
            TRUNCATE: { target: to('file.none'), actions: effect('freeToPool'), description: 'A huge folio is freed to the pool at once (truncate ready; S-V2g).' },
            EVICT_BLOCK: { target: to('file.none'), actions: effect('freeToPool'), description: 'Eviction frees the huge folio to the pool at once (S-V2c).' },
          },
        },
        split: {
          description: 'Split into N order-0 folios, still physically contiguous (INV-13); some page is shared, or a merge was refused.',
          on: {
            ALLOC: same('Already allocated: the block keeps its folio (S-V2h).'),
            SHARED_FAULT: same('Already split: the fault maps an order-0 folio (S-V2c).'),
            SPLIT: same('Already split (S-V2c).'),
            MERGE: [
              { guard: 'mergeSpins', actions: refuse('HANG'), description: 'rfc-v2\'s rollback merges unconditionally: filemap_remove_folio_for_restructuring spins on folio_ref_freeze while a sub-folio is host-mapped or pinned, and the conversion never returns (K10; S-V2c kvm_gmem_restructure_folios_in_range).' },
              { guard: 'unconditionalMerge', target: to('file.huge'), actions: effect('merge'), description: 'rfc-v2\'s rollback merges every earlier block of the work item with kvm_gmem_merge_folio_in_filemap, whatever its pages\' shareability: a block split for a shared page becomes huge again (K9; S-V2c kvm_gmem_restructure_folios_in_range).' },
              { guard: 'pinned', actions: refuse('EAGAIN'), description: 'Merge only when no sub-folio holds extra references (INV-8; S-V2c).' },
              { target: to('file.huge'), actions: effect('merge'), description: 'The whole block is private again: merge it back to a huge folio; merge never fails, it allocates nothing (deck; S-V2c, S-W).' },
            ],
            TRUNCATE: [
              { guard: 'pinnedTruncateRefused', actions: refuse('EAGAIN'), description: 'truncateWhilePinned=eagain: a pinned split block cannot be merged, so it cannot be freed: EAGAIN (S-39).' },
              { guard: 'pinned', ...handOff('truncateWhilePinned=defer: the block leaves the file now and returns through the wrapper after its last unpin (deck: truncate pending).') },
              { target: to('file.none'), actions: [effect('merge'), effect('freeToPool')], description: 'Merge, then free the huge folio to the pool at its original order (INV-5; S-V2g, S-39).' },
            ],
            EVICT_BLOCK: [
              { guard: 'pinnedEvictHeldByInode', target: to('file.heldByInode'), description: 'restore=inode-held: the inode stays alive until the block is unsplit, which needs a truncate only userspace could issue: memory never returns (the deck on restore; breaks INV-10).' },
              { guard: 'evictToWrapper', ...handOff('rfc-v2 never merges at eviction (every split block goes through the wrapper, S-V2c kvm_gmem_evict_inode); WIP merges nothing when any folio of the file is pinned (S-W merge_truncate_range).') },
              { guard: 'pinned', ...handOff('Eviction does not wait for pins: the split block goes to the allocator wrapper (the deck on restore, an option; S-V2h, S-W).') },
              { target: to('file.none'), actions: [effect('merge'), effect('freeToPool')], description: 'Nothing in the file is pinned: WIP merges and frees at the original order (INV-5; S-W merge_truncate_range).' },
            ],
          },
        },
        heldByInode: {
          description: 'restore=inode-held: the closed inode keeps the split block; nothing will ever truncate it (the deck on restore, the problem the wrapper solves).',
          on: {
            ALLOC: same('The file is closed; nothing allocates (the deck on restore).'),
            SHARED_FAULT: same('The file is closed; nothing faults (the deck on restore).'),
            SPLIT: same('The file is closed; nothing converts (the deck on restore).'),
            MERGE: same('The file is closed; nothing converts (the deck on restore).'),
            TRUNCATE: same('The file is closed; userspace can no longer punch it (the deck on restore: "inode truncate will not get triggered").'),
            EVICT_BLOCK: same('Already evicted; the inode holds the block (the deck on restore).'),
          },
        },
      },
    },
    wrapper: {
      description: 'The allocator wrapper (mm/guestmem_hugetlb.c, S-V2h; global restructuring metadata, S-W): outlives the inode, relays folio_put.',
      initial: 'empty',
      states: {
        empty: {
          description: 'Holds no folio of this block (S-V2h).',
          on: {
            HANDOFF: { target: to('wrapper.counting'), description: 'Takes a split block: pending merge until the folio_put of every sub-folio (S-V2h, S-W).' },
            SUBFOLIO_FREED: same('Not the wrapper\'s folio: a put that is not the last reference (S-V2h).'),
            SETTLE: same('Nothing to merge (S-V2h).'),
          },
        },
        counting: {
          description: 'Pending merge: counts the folio_put of each sub-folio until all N are free (S-V2h).',
          on: {
            HANDOFF: same('Another split block of the same range; the count covers both (S-V2h).'),
            SUBFOLIO_FREED: [
              { guard: 'lastSubfolio', target: to('wrapper.mergeable'), description: 'The last sub-folio is free: the block can be merged (S-V2h folio_put callback).' },
              same('Sub-folios are still referenced; keep counting (S-V2h).'),
            ],
            SETTLE: same('The worker finds sub-folios still referenced; nothing to merge yet (S-V2h).'),
          },
        },
        mergeable: {
          description: 'Every sub-folio is free; the merge worker has not run yet (S-V2h; TRACE-FORMAT settle).',
          on: {
            HANDOFF: { target: to('wrapper.counting'), description: 'A new block arrives; counting starts again (S-V2h).' },
            SUBFOLIO_FREED: same('Nothing left to count (S-V2h).'),
            SETTLE: { target: to('wrapper.empty'), actions: effect('mergeAndReturn'), description: 'The merge worker merges the block (re-applying the vmemmap optimisation) and frees it to the pool at its original order (INV-5, INV-10; S-V2h, S-W).' },
          },
        },
      },
    },
  };
}

/**
 * What handing a block to the wrapper raises: HANDOFF, and for a block none
 * of whose sub-folios is pinned its last folio_put at once (every put came
 * already; TRACE-FORMAT eviction), unless the wrapper still counts another
 * block's references (the count covers both). Used by the folio and block machines.
 */
export function handOffRaises(event: { type: string }, wrapperCounting: boolean): Array<{ type: 'HANDOFF' } | { type: 'SUBFOLIO_FREED'; last: true }> {
  const pinned = 'pinned' in event && (event as { pinned?: boolean }).pinned === true;
  return pinned || wrapperCounting ? [{ type: 'HANDOFF' }] : [{ type: 'HANDOFF' }, { type: 'SUBFOLIO_FREED', last: true }];
}

type FolioEmitted = RefusedEvent | { type: 'effect'; effect: FolioEffect };

export const folioSetup = setup({
  types: {} as {
    context: FolioContext;
    events: FolioEvent;
    input: FolioInput | undefined;
    emitted: FolioEmitted;
  },
  guards: folioGuards,
  actions: {
    refuse: emit((_, params: Refusal): FolioEmitted => ({ type: 'refused', errno: params.errno })),
    /** hand the block to the wrapper (handOffRaises). */
    handOff: enqueueActions(({ event, check, enqueue }, params: { counting: string }) => {
      for (const e of handOffRaises(event, check(stateIn(`#${params.counting}`)))) enqueue.raise(e);
    }),
    /** an arena effect: the simulator applies it where the machine names it. */
    effect: emit((_, params: { name: FolioEffect }): FolioEmitted => ({ type: 'effect', effect: params.name })),
  },
});

export function folioContext(input: FolioInput | undefined): FolioContext {
  return {
    split: input?.split ?? DEFAULT_POLICY.split,
    restore: input?.restore ?? DEFAULT_POLICY.restore,
    truncateWhilePinned: input?.truncateWhilePinned ?? DEFAULT_POLICY.truncateWhilePinned,
    // rfc-v2's answers, the trace format's default variant (machines/variant.ts).
    evict: input?.evict ?? 'wrapper-always',
    allocSplitFailure: input?.allocSplitFailure ?? 'return-block',
  };
}

export const folioMachine = folioSetup.createMachine({
  id: 'folio',
  description: 'The split/merge lifecycle of one HugeTLB block\'s folios (the deck on fapending and restore; DOMAIN 3, 4).',
  type: 'parallel',
  context: ({ input }) => folioContext(input),
  states: folioStates('folio') as never,
});
