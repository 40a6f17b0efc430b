/**
 * The per-range lifecycle of the deck, for one page of a guest_memfd file.
 *
 * States are the deck's: faultable/unfaultable x unallocated/allocated, and
 * truncate pending/ready. The deck asks (question 1) whether a truncated range
 * should return to its previous shareability; the kernel says yes (DOMAIN 3:
 * truncation never changes shareability), so each truncate state has two
 * children that remember it: `truncate.ready.shared` is "truncate ready, and
 * the page was faultable". A history state cannot do this here because xstate
 * records history only when its parent exits, and the root never exits.
 *
 * The machine is pure: every guard reads a fact the caller puts in the event
 * (is the folio pinned? is the pool empty?) or a policy fixed at creation, so
 * the simulator can memoise transitions per (state, event) and keep a page in
 * a byte. Refusals emit `refused` and leave the snapshot untouched.
 *
 * Truncation runs under filemap_invalidate_lock (S-IP8 01): nothing else sees
 * the truncate states, which is the deck's rule 2 ("faulting is allowed on
 * unallocated/allocated states only"); an access that meets them retries.
 */
import { emit, setup } from 'xstate';
import type { Refusal, RefusedEvent } from './outcome';
import type { AfterTruncate, Shareability, TruncateWhilePinned } from './policy';
import { DEFAULT_POLICY } from './policy';

export type RangeEvent =
  /** mmap fault from a host process (read or write): kvm_gmem_fault (S-ML). */
  | { type: 'HOST_FAULT'; poolEmpty: boolean }
  /** stage-2 fault: kvm_gmem_get_pfn with the access type the guest used (S-ML, S-TDX). */
  | { type: 'GUEST_FAULT'; access: Shareability; poolEmpty: boolean }
  /** fallocate(KEEP_SIZE) over the page: kvm_gmem_allocate (S-ML). */
  | { type: 'ALLOCATE'; poolEmpty: boolean }
  /** KVM_SET_MEMORY_ATTRIBUTES2 to shared (S-IP8, S-V2c). */
  | { type: 'CONVERT_TO_SHARED' }
  /** to private; `pinned`: the folio holds references beyond the filemap's (S-V2c refcount check). */
  | { type: 'CONVERT_TO_PRIVATE'; pinned: boolean }
  /** fallocate(PUNCH_HOLE) over the page's block; `pinned` as above (S-V2g, S-39). */
  | { type: 'PUNCH'; pinned: boolean }
  /** the last reference to the inode went away: evict truncates everything (S-V2c, S-W). */
  | { type: 'EVICT'; pinned: boolean }
  /** GUP / vmsplice takes a reference; faults the page in like a host access. */
  | { type: 'PIN'; poolEmpty: boolean }
  /** drop a pin at this page; `held`: there is a pin to drop. */
  | { type: 'UNPIN'; held: boolean }
  /** munmap of the page from a host process. */
  | { type: 'HOST_UNMAP' }
  /** the truncated folio went back to the pool (last folio_put). */
  | { type: 'FOLIO_FREED' }
  /** the file let go of a folio still referenced elsewhere (allocator wrapper, S-V2h, S-W). */
  | { type: 'FOLIO_DETACHED' };

export type RangeEventType = RangeEvent['type'];

export interface RangeInput {
  /** the file's initial shareability: `init-shared` gives shared (S-ML). */
  initial?: Shareability;
  /** backed by HugeTLB: a pinned split block cannot be freed (S-V2g). */
  hugetlb?: boolean;
  afterTruncate?: AfterTruncate;
  truncateWhilePinned?: TruncateWhilePinned;
}

export type RangeContext = Required<RangeInput>;

export const RANGE_STATES = [
  'faultable.unallocated',
  'faultable.allocated',
  'unfaultable.unallocated',
  'unfaultable.allocated',
  'truncate.pending.shared',
  'truncate.pending.private',
  'truncate.ready.shared',
  'truncate.ready.private',
] as const;
export type RangeState = (typeof RANGE_STATES)[number];

const refuse = (errno: Refusal['errno'], exit?: Refusal['exit']) =>
  ({ type: 'refuse', params: exit ? { errno, exit } : { errno } }) as const;

/** Declarations shared by the range machine and the block machine's page regions. */
export const rangeGuards = {
  poolEmpty: ({ event }: { event: RangeEvent }) => 'poolEmpty' in event && event.poolEmpty,
  accessShared: ({ event }: { event: RangeEvent }) => event.type === 'GUEST_FAULT' && event.access === 'shared',
  accessPrivate: ({ event }: { event: RangeEvent }) => event.type === 'GUEST_FAULT' && event.access === 'private',
  pinned: ({ event }: { event: RangeEvent }) => 'pinned' in event && event.pinned,
  /** HugeTLB cannot free a pinned split block; eagain refuses, defer waits (DOMAIN 8). */
  pinnedTruncateRefused: ({ context, event }: { context: RangeContext; event: RangeEvent }) =>
    'pinned' in event && event.pinned && context.hugetlb && context.truncateWhilePinned === 'eagain',
  noPinHeld: ({ event }: { event: RangeEvent }) => event.type === 'UNPIN' && !event.held,
  initiallyPrivate: ({ context }: { context: RangeContext }) => context.initial === 'private',
  resetToShared: ({ context }: { context: RangeContext }) =>
    context.afterTruncate === 'reset' && context.initial === 'shared',
  resetToPrivate: ({ context }: { context: RangeContext }) =>
    context.afterTruncate === 'reset' && context.initial === 'private',
};

/**
 * The states, with `root` the id path of the node that holds them (`range` for
 * the machine itself, `block.page0` inside the block), so targets resolve in both.
 */
export function rangeStates(root: string) {
  const to = (path: string) => `#${root}.${path}`;
  const retry = {
    actions: refuse('EAGAIN'),
    description:
      'The truncation holds filemap_invalidate_lock; the access waits and retries once it is done (deck rule 2: faulting only in unallocated/allocated states; S-IP8 01).',
  };
  const keepsNothing = (why: string) => ({ description: why });
  const truncateSettled = (held: Shareability) =>
    held === 'shared'
      ? [
          { guard: 'resetToPrivate', target: to('unfaultable.unallocated'), description: 'afterTruncate=reset: back to the file\'s initial shareability, private (deck question 1; DOMAIN 8).' },
          { target: to('faultable.unallocated'), description: 'The page keeps the shareability it had: truncation never changes it (S-IPt truncate, S-V2t test 7).' },
        ]
      : [
          { guard: 'resetToShared', target: to('faultable.unallocated'), description: 'afterTruncate=reset: back to the file\'s initial shareability, shared (deck question 1; DOMAIN 8).' },
          { target: to('unfaultable.unallocated'), description: 'The page keeps the shareability it had: truncation never changes it (S-IPt truncate, S-V2t test 7).' },
        ];
  const punchUnallocated = (sh: Shareability) => [
    sh === 'shared'
      ? { guard: 'resetToPrivate', target: to('unfaultable.unallocated'), description: 'afterTruncate=reset: a punched range returns to the initial shareability even when nothing was allocated (DOMAIN 8).' }
      : { guard: 'resetToShared', target: to('faultable.unallocated'), description: 'afterTruncate=reset: a punched range returns to the initial shareability even when nothing was allocated (DOMAIN 8).' },
    keepsNothing('Nothing is allocated: the punch has nothing to free and returns 0 (S-V2g).'),
  ];
  const truncateAllocated = (sh: Shareability, via: 'PUNCH' | 'EVICT') => [
    ...(via === 'PUNCH'
      ? [{ guard: 'pinnedTruncateRefused', actions: refuse('EAGAIN'), description: 'truncateWhilePinned=eagain: a pinned split block cannot be merged and freed; the punch fails EAGAIN (S-39, S-V2g).' }]
      : []),
    {
      guard: 'pinned',
      target: to(`truncate.pending.${sh}`),
      description:
        via === 'PUNCH'
          ? 'References hold the folio: truncate pending (deck; truncateWhilePinned=defer, or a 4K file whose pinned page lives on outside the file).'
          : 'Evict does not wait for pins: truncate pending, the folio goes to the allocator wrapper (the deck on restore; S-V2h, S-W).',
    },
    {
      target: to(`truncate.ready.${sh}`),
      description: 'Deck rule 1: truncate is allowed when offsets are allocated; with no extra reference the folio can be freed (truncate ready).',
    },
  ];

  const unallocated = (sh: Shareability) => {
    const self = sh === 'shared' ? 'faultable' : 'unfaultable';
    const accessOk = sh === 'shared' ? 'accessShared' : 'accessPrivate';
    return {
      description:
        sh === 'shared'
          ? 'Faultable unallocated: shared, no folio. Initial state of non-CoCo and SNP VMs (deck use case; S-ML INIT_SHARED).'
          : 'Unfaultable unallocated: private, no folio. Initial state of TDX VMs (deck use case; S-ML).',
      on: {
        HOST_FAULT:
          sh === 'shared'
            ? [
                { guard: 'poolEmpty', actions: refuse('ENOMEM'), description: 'The block cannot be allocated: vmf_error(-ENOMEM) is VM_FAULT_OOM, not SIGBUS; the access does not complete (S-ML kvm_gmem_fault_user_mapping).' },
                { target: to('faultable.allocated'), description: 'Host fault on a shared page: allocate the whole block, split it, zero the page once, map a 4K PTE (S-ML, S-V2c, S-W).' },
              ]
            : { actions: refuse('SIGBUS'), description: 'Host access to a private page raises SIGBUS in every process (INV-1; S-ML kvm_gmem_fault).' },
        GUEST_FAULT: [
          { guard: accessOk === 'accessShared' ? 'accessPrivate' : 'accessShared', actions: refuse('EFAULT', 'memory-fault'), description: 'The access type mismatches the shareability: KVM_EXIT_MEMORY_FAULT, userspace converts and re-runs (S-ML, S-TDX).' },
          { guard: 'poolEmpty', actions: refuse('ENOMEM'), description: 'kvm_gmem_get_pfn cannot allocate the block: ENOMEM (S-V2c).' },
          { target: to(`${self}.allocated`), description: 'kvm_gmem_get_pfn allocates the whole block and zeroes the page once (S-ML, S-V2c).' },
        ],
        ALLOCATE: [
          { guard: 'poolEmpty', actions: refuse('ENOMEM'), description: 'fallocate: the pool has no huge page for the block: ENOMEM (S-V2h).' },
          { target: to(`${self}.allocated`), description: 'fallocate allocates whole blocks regardless of shareability; it never zeroes (S-ML, S-W).' },
        ],
        CONVERT_TO_SHARED:
          sh === 'shared'
            ? keepsNothing('Already shared: the conversion returns 0 and changes nothing (S-IP8).')
            : { target: to('faultable.unallocated'), description: 'Shareability is recorded for unallocated pages too (INV-6; S-IPt before_allocation_*).' },
        CONVERT_TO_PRIVATE:
          sh === 'private'
            ? keepsNothing('Already private: the conversion returns 0 and changes nothing (S-IP8).')
            : { target: to('unfaultable.unallocated'), description: 'Shareability is recorded for unallocated pages too (INV-6; S-IPt before_allocation_*).' },
        PUNCH: punchUnallocated(sh),
        EVICT: keepsNothing('Nothing is allocated: eviction has nothing to free here (S-V2c).'),
        PIN:
          sh === 'shared'
            ? [
                { guard: 'poolEmpty', actions: refuse('ENOMEM'), description: 'GUP faults the page in; the fault cannot allocate: VM_FAULT_OOM, which GUP returns as -ENOMEM (DOMAIN 4 pin; S-ML).' },
                { target: to('faultable.allocated'), description: 'GUP faults the page in as a host access does, then holds a reference (DOMAIN 4 pin).' },
              ]
            : { actions: refuse('EFAULT'), description: 'GUP cannot fault a private page: EFAULT (DOMAIN 4 pin; INV-1).' },
        UNPIN: [
          { guard: 'noPinHeld', actions: refuse('EINVAL'), description: 'No pin at this page to drop: EINVAL (TRACE-FORMAT pin and unpin).' },
          keepsNothing('The pin was on a folio that already left the file; dropping it changes nothing here (TRACE-FORMAT: a pin follows its folio).'),
        ],
        HOST_UNMAP: keepsNothing('No folio, no host mapping: munmap changes neither shareability nor folios (DOMAIN 4 munmap).'),
        FOLIO_FREED: keepsNothing('No folio backs the page: nothing to free (DOMAIN 3: a block is allocated whole or not at all).'),
        FOLIO_DETACHED: keepsNothing('No folio backs the page: nothing to detach (DOMAIN 3).'),
      },
    };
  };

  const allocated = (sh: Shareability) => {
    const accessOk = sh === 'shared' ? 'accessShared' : 'accessPrivate';
    return {
      description:
        sh === 'shared'
          ? 'Faultable allocated: shared, backed by an order-0 folio (a HugeTLB block holding a shared page is always split, INV-2).'
          : 'Unfaultable allocated: private; a huge folio when the whole block is private, else split (S-V2c, S-W).',
      on: {
        HOST_FAULT:
          sh === 'shared'
            ? keepsNothing('The folio is there: the fault maps a 4K host PTE; state unchanged (S-ML).')
            : { actions: refuse('SIGBUS'), description: 'Host access to a private page raises SIGBUS in every process (INV-1; S-ML kvm_gmem_fault).' },
        GUEST_FAULT: [
          { guard: accessOk === 'accessShared' ? 'accessPrivate' : 'accessShared', actions: refuse('EFAULT', 'memory-fault'), description: 'The access type mismatches the shareability: KVM_EXIT_MEMORY_FAULT (S-ML, S-TDX).' },
          keepsNothing('The folio is there: stage-2 maps it, huge only when the folio is huge (INV-4; S-W).'),
        ],
        ALLOCATE: keepsNothing('Already allocated: fallocate skips it and returns 0 (S-ML).'),
        CONVERT_TO_SHARED:
          sh === 'shared'
            ? keepsNothing('Already shared: returns 0, nothing changes (S-IP8).')
            : { target: to('faultable.allocated'), description: 'To shared: zap stage-2, split the huge folio to order 0 (the folio machine), record shared (S-V2c, S-W).' },
        CONVERT_TO_PRIVATE:
          sh === 'private'
            ? keepsNothing('Already private: returns 0, nothing changes (S-IP8).')
            : [
                { guard: 'pinned', actions: refuse('EAGAIN'), description: 'To private: the folio holds extra references (pins), so the conversion fails EAGAIN with error_offset and nothing changes (INV-8; S-V2c, S-IP8).' },
                { target: to('unfaultable.allocated'), description: 'To private: unmap from every host process, refcount check passes, zap stage-2, record private; the block merges if all-private (S-V2c).' },
              ],
        PUNCH: truncateAllocated(sh, 'PUNCH'),
        EVICT: truncateAllocated(sh, 'EVICT'),
        PIN:
          sh === 'shared'
            ? keepsNothing('GUP takes a reference on the order-0 folio; state unchanged (DOMAIN 4 pin).')
            : { actions: refuse('EFAULT'), description: 'GUP cannot fault a private page: EFAULT (INV-1).' },
        UNPIN: [
          { guard: 'noPinHeld', actions: refuse('EINVAL'), description: 'No pin at this page to drop: EINVAL (TRACE-FORMAT pin and unpin).' },
          keepsNothing('The reference drops; the folio stays in the file (DOMAIN 4 unpin).'),
        ],
        HOST_UNMAP: keepsNothing('munmap removes host PTEs; shareability and folio are unchanged (DOMAIN 4 munmap).'),
        FOLIO_FREED: keepsNothing('Not the last reference: the filemap still holds the folio, nothing is freed (S-V2c).'),
        FOLIO_DETACHED: keepsNothing('The file still holds the folio: nothing is detached (S-V2h).'),
      },
    };
  };

  const truncating = (phase: 'pending' | 'ready', held: Shareability) => ({
    description:
      phase === 'pending'
        ? `Truncate pending (was ${held}): truncation requested while references (pins) hold the folio (deck; DOMAIN 5).`
        : `Truncate ready (was ${held}): the folio can be freed; the range will be unallocated again (deck; DOMAIN 5).`,
    on: {
      HOST_FAULT: retry,
      GUEST_FAULT: retry,
      ALLOCATE: retry,
      CONVERT_TO_SHARED: retry,
      CONVERT_TO_PRIVATE: retry,
      PIN: retry,
      PUNCH: keepsNothing('Already being truncated under filemap_invalidate_lock (S-IP8 01).'),
      EVICT: keepsNothing('Already being truncated under filemap_invalidate_lock (S-IP8 01).'),
      UNPIN: [
        { guard: 'noPinHeld', actions: refuse('EINVAL'), description: 'No pin at this page to drop: EINVAL (TRACE-FORMAT pin and unpin).' },
        keepsNothing('The reference drops on the folio being truncated; the truncation completes on its own (S-V2h relays folio_put).'),
      ],
      HOST_UNMAP: keepsNothing('The truncation already removed host mappings of the range (S-V2g).'),
      FOLIO_FREED:
        phase === 'ready'
          ? truncateSettled(held)
          : keepsNothing('The folio is still referenced: it cannot be freed yet (deck: truncate pending).'),
      FOLIO_DETACHED:
        phase === 'pending'
          ? truncateSettled(held)
          : keepsNothing('Nothing holds the folio: it is freed, not detached (deck: truncate ready).'),
    },
  });

  return {
    created: {
      description: 'KVM_CREATE_GUEST_MEMFD gives every page the initial shareability: shared with INIT_SHARED, else private (S-ML, S-V2c). Transient.',
      always: [
        { guard: 'initiallyPrivate', target: to('unfaultable'), description: 'Created without INIT_SHARED: every page private (S-ML).' },
        { target: to('faultable'), description: 'Created with INIT_SHARED: every page shared (S-ML).' },
      ],
    },
    faultable: {
      description: 'Faultable = shared (SHAREABILITY_ALL in RFC v2): host userspace may mmap and fault the page (DOMAIN 1).',
      initial: 'unallocated',
      states: { unallocated: unallocated('shared'), allocated: allocated('shared') },
    },
    unfaultable: {
      description: 'Unfaultable = private (SHAREABILITY_GUEST in RFC v2): only the guest may access the page (DOMAIN 1).',
      initial: 'unallocated',
      states: { unallocated: unallocated('private'), allocated: allocated('private') },
    },
    truncate: {
      description: 'Truncation in progress under filemap_invalidate_lock; the child remembers the shareability the page keeps (deck question 1).',
      initial: 'ready',
      states: {
        pending: {
          description: 'Truncate pending: references hold the folio (deck).',
          initial: 'shared',
          states: { shared: truncating('pending', 'shared'), private: truncating('pending', 'private') },
        },
        ready: {
          description: 'Truncate ready: the folio can be freed (deck).',
          initial: 'shared',
          states: { shared: truncating('ready', 'shared'), private: truncating('ready', 'private') },
        },
      },
    },
  };
}

export const rangeSetup = setup({
  types: {} as {
    context: RangeContext;
    events: RangeEvent;
    input: RangeInput | undefined;
    emitted: RefusedEvent;
  },
  guards: rangeGuards,
  actions: {
    refuse: emit((_, params: Refusal) => ({ type: 'refused' as const, ...params })),
  },
});

export function rangeContext(input: RangeInput | undefined): RangeContext {
  return {
    initial: input?.initial ?? 'shared',
    hugetlb: input?.hugetlb ?? true,
    afterTruncate: input?.afterTruncate ?? DEFAULT_POLICY.afterTruncate,
    truncateWhilePinned: input?.truncateWhilePinned ?? DEFAULT_POLICY.truncateWhilePinned,
  };
}

export const rangeMachine = rangeSetup.createMachine({
  id: 'range',
  description: 'The deck\'s per-range lifecycle for one page of a guest_memfd file (DOMAIN 5).',
  context: ({ input }) => rangeContext(input),
  initial: 'created',
  states: rangeStates('range') as never,
});
