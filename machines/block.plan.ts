/**
 * The order in which the kernel asks the folio and the pages of one block to
 * act for each operation, and the bookkeeping around it. A plan is a list of
 * region events run in order; the first refusal stops it, so what comes after
 * never happens (split before recording shared, S-V2c; refcount check before
 * merge, INV-8; the shareability check before allocation, S-ML). The
 * decisions themselves stay with the range and folio machines.
 *
 * The block machine runs plans through its regions; the simulator runs the
 * same plans through the standalone machines.
 */
import type { FolioEffect, FolioEvent, FolioFileState, FolioWrapperState } from './folio.machine';
import type { Shareability } from './policy';
import type { RangeEvent, RangeState } from './range.machine';
import type { Variant, VariantProfile } from './variant';
import { profileOf } from './variant';

/** The fields of a tree's profile (machines/variant.ts) that change a block's plans. */
export interface PlanProfile {
  mergeOnToPrivate: boolean;
  allocSplitFailure: VariantProfile['allocSplitFailure'];
  splitRollback: VariantProfile['splitRollback'];
}

export function planProfileOf(variant: Variant): PlanProfile {
  const { mergeOnToPrivate, allocSplitFailure, splitRollback } = profileOf(variant);
  return { mergeOnToPrivate, allocSplitFailure, splitRollback };
}

/** The operations on one block, named as the trace format names them. */
export type BlockOp =
  | { type: 'hostAccess'; page: number }
  | { type: 'guestAccess'; page: number; access: Shareability }
  /** convert `count` pages (default 1) from `page` on. */
  | { type: 'convert'; page: number; count?: number; to: Shareability }
  | { type: 'fallocate' }
  | { type: 'punchHole' }
  | { type: 'pin'; page: number }
  | { type: 'unpin'; page: number }
  | { type: 'munmap'; page: number }
  | { type: 'close' }
  | { type: 'settle' }
  | { type: 'injectSplitFailure' };
export type BlockOpType = BlockOp['type'];

/** Every operation on a block of n pages, with every payload that drives a guard. */
export function blockOpVariants(n: number): BlockOp[] {
  const pages = [...Array(n).keys()];
  return [
    ...pages.map((page): BlockOp => ({ type: 'hostAccess', page })),
    ...pages.flatMap((page): BlockOp[] => [
      { type: 'guestAccess', page, access: 'shared' },
      { type: 'guestAccess', page, access: 'private' },
    ]),
    ...pages.flatMap((page): BlockOp[] => [
      { type: 'convert', page, to: 'shared' },
      { type: 'convert', page, to: 'private' },
    ]),
    { type: 'fallocate' },
    { type: 'punchHole' },
    ...pages.map((page): BlockOp => ({ type: 'pin', page })),
    ...pages.map((page): BlockOp => ({ type: 'unpin', page })),
    ...pages.map((page): BlockOp => ({ type: 'munmap', page })),
    { type: 'close' },
    { type: 'settle' },
    { type: 'injectSplitFailure' },
  ];
}

export function opLabel(op: BlockOp): string {
  const args = Object.entries(op).filter(([k]) => k !== 'type').map(([, v]) => String(v));
  return args.length ? `${op.type}(${args.join(',')})` : op.type;
}

/** Operations still allowed after close (TRACE-FORMAT: every other op fails EBADF). */
export const OPS_AFTER_CLOSE: ReadonlyArray<BlockOpType> = ['unpin', 'settle'];

export type BookStep =
  | { type: 'BOOK_PIN'; page: number }
  | { type: 'BOOK_UNPIN_CURRENT'; page: number }
  | { type: 'BOOK_UNPIN_RETIRED'; page: number };

/** A range event for one page of the block. */
export type PageStep = RangeEvent & { page: number };
/** A range event for the pages [from, to) of the block, perhaps but one: applied in bulk. */
export type PagesStep = RangeEvent & { pages: readonly [from: number, to: number]; except?: number };
export type PlanStep = PageStep | PagesStep | FolioEvent | BookStep;

/** What the block keeps besides its regions' states. */
export interface BlockBook {
  /** pins on the folio the file holds now, per page. */
  pins: number[];
  /** pins on folios that left the file while pinned (allocator wrapper or deferred truncate), per page. */
  retiredPins: number[];
  /** huge pages this block can still draw: its reservation plus spare free pages. */
  available: number;
  /** an injected split failure is armed (TRACE-FORMAT inject split-enomem). */
  splitArmed: boolean;
}

/** A small block as plain arrays: the block machine's and the plan runner's view. */
export interface BlockView extends BlockBook {
  pages: ReadonlyArray<RangeState>;
  file: FolioFileState;
  wrapper: FolioWrapperState;
}

/**
 * What a plan needs to know about a block. The simulator answers from its
 * compact arrays and counters (a 1 GiB block has 262,144 pages); small blocks
 * answer from a BlockView (factsOfView).
 */
export interface BlockFacts {
  n: number;
  /** the block's index in the file (a lone block, as the block machine has, is block 0). */
  index: number;
  pageState(page: number): RangeState;
  /** pages whose shareability is shared. */
  sharedPages: number;
  /** shared pages among [from, to). */
  sharedPagesIn(from: number, to: number): number;
  /** the first page in [from, to) whose folio holds pins, or -1. */
  firstPinnedIn(from: number, to: number): number;
  file: FolioFileState;
  pinsAt(page: number): number;
  retiredPinsAt(page: number): number;
  totalPins: number;
  totalRetiredPins: number;
  /** no huge page can be had for this block (its reservation is used and the pool has none free). */
  noHugePage: boolean;
  splitArmed: boolean;
  /** some folio anywhere in the file is pinned (WIP eviction merges nothing then). */
  filePinned: boolean;
  /** the tree's choices that change plans. */
  profile: PlanProfile;
}

export const isSharedState = (s: RangeState) => s.startsWith('faultable') || s.endsWith('.shared');
const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0);

/** `profile` defaults to rfc-v2's, the trace format's default variant. */
export function factsOfView(view: BlockView, profile: PlanProfile = planProfileOf('rfc-v2')): BlockFacts {
  return {
    profile,
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent; a view is one block, so the file is pinned exactly when the block is, and the folio machine's `pinned` branch of EVICT_BLOCK hands a pinned block to the wrapper as `evictToWrapper` does
    filePinned: sum(view.pins) > 0,
    n: view.pages.length,
    index: 0,
    pageState: (page) => view.pages[page]!,
    sharedPages: view.pages.filter(isSharedState).length,
    sharedPagesIn: (from, to) => view.pages.slice(from, to).filter(isSharedState).length,
    firstPinnedIn: (from, to) => {
      for (let page = from; page < to; page++) if (view.pins[page]! > 0) return page;
      return -1;
    },
    file: view.file,
    pinsAt: (page) => view.pins[page]!,
    retiredPinsAt: (page) => view.retiredPins[page]!,
    totalPins: sum(view.pins),
    totalRetiredPins: sum(view.retiredPins),
    noHugePage: view.available === 0,
    splitArmed: view.splitArmed,
  };
}

export function planOp(facts: BlockFacts, op: BlockOp): PlanStep[] {
  const poolEmpty = facts.file === 'none' && facts.noHugePage;
  const anyShared = facts.sharedPages > 0;
  const blockPinned = facts.totalPins > 0;
  const allocateOthers = (page: number): PagesStep => ({ type: 'ALLOCATE', poolEmpty: false, pages: [0, facts.n], except: page });
  const everyPage = (e: RangeEvent): PagesStep => ({ ...e, pages: [0, facts.n] });
  /** A punch and an eviction truncate alike: the folio first (it may refuse), then every page, then free or detach. */
  const truncation = (folio: 'TRUNCATE' | 'EVICT_BLOCK', page: 'PUNCH' | 'EVICT'): PlanStep[] => [
    folio === 'EVICT_BLOCK' ? { type: folio, pinned: blockPinned, filePinned: facts.filePinned } : { type: folio, pinned: blockPinned },
    everyPage({ type: page, pinned: blockPinned }),
    everyPage({ type: 'FOLIO_FREED' }),
    everyPage({ type: 'FOLIO_DETACHED' }),
  ];

  // An armed split failure meets the split of a fresh block that holds a shared page (TRACE-FORMAT inject).
  const splitFails = facts.splitArmed && facts.file === 'none' && !facts.noHugePage && anyShared;
  const keepsHuge = splitFails && facts.profile.allocSplitFailure === 'keep-huge';
  /** Where the tree returns the block (rfc-v2), the folio refuses before any page changes (under split=lazy it accepts, and the pages follow). */
  const failsFirst = (page: number, access: Shareability): boolean =>
    splitFails && !keepsHuge && isSharedState(facts.pageState(page)) === (access === 'shared');

  switch (op.type) {
    case 'hostAccess':
      // A user fault: the folio machine answers for the retry of VM_FAULT_OOM too (userFault, S-X86F).
      if (failsFirst(op.page, 'shared')) return [{ type: 'SHARED_FAULT', poolEmpty, splitFails, userFault: true }, { type: 'HOST_FAULT', page: op.page, poolEmpty }, allocateOthers(op.page)];
      // K6: the block joins the file, then its split fails and the huge folio stays (S-W __maybe_split_fresh_folio).
      if (keepsHuge) return [{ type: 'HOST_FAULT', page: op.page, poolEmpty }, allocateOthers(op.page), { type: 'SHARED_FAULT', poolEmpty, splitFails, userFault: true }];
      return [{ type: 'HOST_FAULT', page: op.page, poolEmpty }, { type: 'SHARED_FAULT', poolEmpty, userFault: true }, allocateOthers(op.page)];
    case 'guestAccess':
      if (failsFirst(op.page, op.access)) return [{ type: 'ALLOC', anyShared, poolEmpty, splitFails }, { type: 'GUEST_FAULT', page: op.page, access: op.access, poolEmpty }, allocateOthers(op.page)];
      if (keepsHuge) return [{ type: 'GUEST_FAULT', page: op.page, access: op.access, poolEmpty }, allocateOthers(op.page), { type: 'ALLOC', anyShared, poolEmpty, splitFails }];
      return [
        { type: 'GUEST_FAULT', page: op.page, access: op.access, poolEmpty },
        { type: 'ALLOC', anyShared, poolEmpty },
        allocateOthers(op.page),
      ];
    case 'fallocate':
      if (keepsHuge) return [everyPage({ type: 'ALLOCATE', poolEmpty: false }), { type: 'ALLOC', anyShared, poolEmpty, splitFails }];
      // The folio allocates (and, with a failure armed on a fresh block holding a shared page, fails its split) before any page.
      return [{ type: 'ALLOC', anyShared, poolEmpty, splitFails }, everyPage({ type: 'ALLOCATE', poolEmpty: false })];
    case 'convert': {
      const pages = [op.page, op.page + (op.count ?? 1)] as const;
      const sharedIn = facts.sharedPagesIn(pages[0], pages[1]);
      if (op.to === 'shared') {
        const toShared: PagesStep = { type: 'CONVERT_TO_SHARED', pages };
        // Already shared throughout: nothing to split (S-IP8 returns 0 at once).
        // A conversion inside one block is a work item starting there: in block 0 rfc-v2's rollback never ends (K10).
        const rollbackWraps = facts.profile.splitRollback === 'merge-item-unconditionally' && facts.index === 0;
        return sharedIn === pages[1] - pages[0] ? [toShared] : [{ type: 'SPLIT', fails: facts.splitArmed, rollbackWraps }, toShared];
      }
      const toPrivate: PagesStep = { type: 'CONVERT_TO_PRIVATE', pinned: false, pages };
      if (sharedIn === 0) return [toPrivate];
      // The refcount check covers every folio in the range before anything commits (S-V2c).
      const pinned = facts.file === 'huge' ? (blockPinned ? firstSharedIn(facts, pages) : -1) : facts.firstPinnedIn(pages[0], pages[1]);
      if (pinned >= 0) return [{ type: 'CONVERT_TO_PRIVATE', page: pinned, pinned: true }];
      // The tree merges a block made all private (not the pristine WIP branch: K4).
      return facts.sharedPages === sharedIn && facts.profile.mergeOnToPrivate ? [toPrivate, { type: 'MERGE', pinned: blockPinned }] : [toPrivate];
    }
    case 'punchHole':
      return truncation('TRUNCATE', 'PUNCH');
    case 'close':
      return truncation('EVICT_BLOCK', 'EVICT');
    case 'pin':
      // Stryker disable next-line BooleanLiteral: equivalent; with splitFails the folio refuses ENOMEM (allocSplitFails) whatever `gup` says, which only turns SIGBUS into EFAULT
      if (failsFirst(op.page, 'shared')) return [{ type: 'SHARED_FAULT', poolEmpty, splitFails, gup: true }, { type: 'PIN', page: op.page, poolEmpty }, allocateOthers(op.page), { type: 'BOOK_PIN', page: op.page }];
      if (keepsHuge) return [{ type: 'PIN', page: op.page, poolEmpty }, allocateOthers(op.page), { type: 'SHARED_FAULT', poolEmpty, splitFails }];
      return [
        { type: 'PIN', page: op.page, poolEmpty },
        { type: 'SHARED_FAULT', poolEmpty, gup: true },
        allocateOthers(op.page),
        { type: 'BOOK_PIN', page: op.page },
      ];
    case 'unpin': {
      const current = facts.pinsAt(op.page);
      const retired = facts.retiredPinsAt(op.page);
      const unpin: PageStep = { type: 'UNPIN', page: op.page, held: current + retired > 0 };
      // A pin on the file's folio is always newer than one on a folio that already left.
      if (current > 0) return [unpin, { type: 'BOOK_UNPIN_CURRENT', page: op.page }];
      // Stryker disable next-line ConditionalExpression: equivalent; with no pin held the page refuses UNPIN (EINVAL, noPinHeld) and a refusal ends the plan before the bookkeeping
      if (retired > 0) {
        return [unpin, { type: 'BOOK_UNPIN_RETIRED', page: op.page }, { type: 'SUBFOLIO_FREED', last: facts.totalRetiredPins === 1 }];
      }
      return [unpin];
    }
    case 'munmap':
      return [{ type: 'HOST_UNMAP', page: op.page }];
    case 'settle':
      return [{ type: 'SETTLE' }];
    case 'injectSplitFailure':
      return [];
  }
}

function firstSharedIn(facts: BlockFacts, [from, to]: readonly [number, number]): number {
  for (let page = from; page < to; page++) if (isSharedState(facts.pageState(page))) return page;
  return -1;
}

/** A bulk step as one step per page (for small blocks: the block machine). */
export function expandStep(step: PlanStep, n: number): PlanStep[] {
  if (!isPagesStep(step)) return [step];
  const { pages, except, ...event } = step;
  const out: PlanStep[] = [];
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent; the excepted page is the one the operation just faulted in, and ALLOCATE on an allocated page changes nothing
  for (let page = pages[0]; page < Math.min(pages[1], n); page++) if (page !== except) out.push({ ...event, page } as PageStep);
  return out;
}

/** The book after a bookkeeping step. */
export function applyBook(book: BlockBook, step: BookStep): BlockBook {
  const bump = (xs: number[], page: number, by: number) => xs.map((x, i) => (i === page ? x + by : x));
  switch (step.type) {
    case 'BOOK_PIN':
      return { ...book, pins: bump(book.pins, step.page, 1) };
    case 'BOOK_UNPIN_CURRENT':
      return { ...book, pins: bump(book.pins, step.page, -1) };
    case 'BOOK_UNPIN_RETIRED':
      return { ...book, retiredPins: bump(book.retiredPins, step.page, -1) };
  }
}

/** The book after an arena effect the folio machine named. */
export function applyFolioEffect(book: BlockBook, effect: FolioEffect): BlockBook {
  switch (effect) {
    case 'takeFromPool':
      return { ...book, available: book.available - 1 };
    case 'freeToPool':
    case 'mergeAndReturn':
      return { ...book, available: book.available + 1 };
    case 'handToWrapper':
      // The pins follow their folio out of the file (TRACE-FORMAT pin and unpin).
      return { ...book, retiredPins: book.retiredPins.map((r, i) => r + book.pins[i]!), pins: book.pins.map(() => 0) };
    case 'splitFailed':
      return { ...book, splitArmed: false };
    case 'split':
    case 'merge':
      return book;
  }
}

export function isBookStep(step: PlanStep): step is BookStep {
  return step.type.startsWith('BOOK_');
}

export function isPageStep(step: PlanStep): step is PageStep {
  return 'page' in step && !isBookStep(step);
}

export function isPagesStep(step: PlanStep): step is PagesStep {
  return 'pages' in step;
}
