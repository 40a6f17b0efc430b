/**
 * One block of N pages: the folio lifecycle plus the N page lifecycles, as one
 * parallel statechart. This is the machine the model-based tests walk and the
 * inspector animates.
 *
 * Regions:
 *   inode        open | closed: the file descriptor; after close only unpin
 *                and settle are accepted (EBADF otherwise).
 *   folio        the folio machine's regions (file, wrapper), unchanged.
 *   pages.pK     the range machine's states for page K, unchanged but for a
 *                guard that lets each region answer only its own page.
 *
 * An operation (`convert`, `punchHole`, ...) is turned into a plan by
 * block.plan.ts: region events in the kernel's order. The block raises the
 * first; each region that accepts raises the next (`continuePlan`); a refusal
 * stops the plan, so a failed split leaves the page private and a refused
 * to-private conversion never merges. This is how eager split when a page
 * turns shared, and merge when the block turns all-private, are coordinated.
 */
import type { AnyEventObject, MachineConfig, StateValue } from 'xstate';
import { stateLabel } from './outcome-table';
import { and, assign, emit, enqueueActions, setup, stateIn } from 'xstate';
import type { BlockBook, BlockOp, BlockView, PlanProfile, PlanStep } from './block.plan';
import { applyBook, applyFolioEffect, expandStep, factsOfView, isBookStep, planOp, planProfileOf } from './block.plan';
import type { FolioContext, FolioEffect, FolioFileState, FolioWrapperState } from './folio.machine';
import { folioGuards, folioStates, handOffRaises, FOLIO_FILE_STATES, FOLIO_WRAPPER_STATES } from './folio.machine';
import type { Refusal, RefusedEvent } from './outcome';
import type { Policy, Shareability } from './policy';
import { DEFAULT_POLICY } from './policy';
import type { Variant } from './variant';
import { profileOf } from './variant';
import type { RangeContext, RangeState } from './range.machine';
import { rangeGuards, rangeStates, RANGE_STATES } from './range.machine';

export interface BlockInput {
  initial?: Shareability;
  /** the kernel tree (machines/variant.ts); its profile feeds the plans and the folio machine. */
  variant?: Variant;
  policy?: Partial<Policy>;
  /** free huge pages in the pool beyond this block's reservation. */
  spareHugePages?: number;
}

export type BlockContext = RangeContext & FolioContext & BlockBook & PlanProfile & { n: number };

/** Plan steps carry the rest of the plan with them. */
type Chained = { then?: PlanStep[] };
export type BlockEvent = BlockOp | ((PlanStep | { type: 'HANDOFF' }) & Chained);

const refuse = (errno: Refusal['errno']) => ({ type: 'refuse', params: { errno } }) as const;

/**
 * Rewrites a region's state config for the block: every transition of a page
 * region also requires the event to be addressed to its page, and every
 * transition that accepts continues the plan. Refusals do not continue.
 */
function regionize(states: Record<string, unknown>, page: number | undefined): Record<string, unknown> {
  const rewrite = (t: Record<string, unknown>) => {
    const actions = ([] as unknown[]).concat(t['actions'] ?? []);
    const refuses = actions.some((a) => (a as { type?: string }).type === 'refuse');
    const addressed = page === undefined ? t['guard'] : t['guard'] === undefined
      ? { type: 'forPage', params: { page } }
      : and([{ type: 'forPage', params: { page } }, t['guard'] as never]);
    return {
      ...t,
      ...(addressed === undefined ? {} : { guard: addressed }),
      actions: refuses ? actions : [...actions, 'continuePlan'],
    };
  };
  const node = (config: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...config };
    if (config['on']) {
      out['on'] = Object.fromEntries(
        Object.entries(config['on'] as Record<string, unknown>).map(([type, ts]) => [
          type,
          Array.isArray(ts) ? ts.map((t) => rewrite(t)) : rewrite(ts as Record<string, unknown>),
        ]),
      );
    }
    if (config['states']) out['states'] = regionize(config['states'] as Record<string, unknown>, page);
    return out;
  };
  return Object.fromEntries(Object.entries(states).map(([k, v]) => [k, node(v as Record<string, unknown>)]));
}

/** Reads the block's regions and book into a plain view, inside an action. */
function viewOf(context: BlockContext, check: (guard: never) => boolean): BlockView {
  const inState = (id: string) => check(stateIn(id) as never);
  const pages: RangeState[] = [];
  for (let k = 0; k < context.n; k++) {
    pages.push(RANGE_STATES.find((s) => inState(`#block.pages.p${k}.${s}`))!);
  }
  const file = FOLIO_FILE_STATES.find((s) => inState(`#block.folio.file.${s}`)) as FolioFileState;
  const wrapper = FOLIO_WRAPPER_STATES.find((s) => inState(`#block.folio.wrapper.${s}`)) as FolioWrapperState;
  return { pages, file, wrapper, pins: context.pins, retiredPins: context.retiredPins, available: context.available, splitArmed: context.splitArmed };
}

const OP_TYPES = ['hostAccess', 'guestAccess', 'convert', 'fallocate', 'punchHole', 'pin', 'unpin', 'munmap', 'close', 'settle', 'injectSplitFailure'] as const;

export const blockSetup = setup({
  types: {} as {
    context: BlockContext;
    events: BlockEvent;
    input: BlockInput | undefined;
    emitted: RefusedEvent;
  },
  guards: {
    ...(rangeGuards as unknown as Record<string, (a: { context: BlockContext; event: BlockEvent }) => boolean>),
    ...(folioGuards as unknown as Record<string, (a: { context: BlockContext; event: BlockEvent }) => boolean>),
    /** the region answers only events addressed to its page. */
    forPage: ({ event }, params: { page: number }) => (event as { page?: number }).page === params.page,
  },
  actions: {
    refuse: emit((_, params: Refusal) => ({ type: 'refused' as const, ...params })),
    /** the folio's arena effects, applied to the block's book (pool, pins). */
    effect: assign(({ context }, params: { name: FolioEffect }) => applyFolioEffect(context, params.name)),
    /** raise the next step of the plan, carrying the rest. */
    continuePlan: enqueueActions(({ event, enqueue }) => {
      const rest = (event as Chained).then;
      if (rest && rest.length > 0) enqueue.raise({ ...rest[0]!, then: rest.slice(1) } as BlockEvent);
    }),
    /** turn the operation into its plan and start it. */
    startPlan: enqueueActions(({ context, event, enqueue, check }) => {
      const plan = planOp(factsOfView(viewOf(context, check as never), context), event as BlockOp).flatMap((s) => expandStep(s, context.n));
      if (plan.length > 0) enqueue.raise({ ...plan[0]!, then: plan.slice(1) } as BlockEvent);
    }),
    book: assign(({ context, event }) => (isBookStep(event as PlanStep) ? applyBook(context, event as never) : context)),
    armSplitFailure: assign({ splitArmed: true }),
    /** the folio machine's hand-off to the wrapper, relaying an unpinned block's last folio_put. */
    handOff: enqueueActions(({ event, check, enqueue }, params: { counting: string }) => {
      for (const e of handOffRaises(event, check(stateIn(`#${params.counting}`) as never))) enqueue.raise(e as BlockEvent);
    }),
  },
});

export function blockContext(n: number, input: BlockInput | undefined): BlockContext {
  const policy = { ...DEFAULT_POLICY, ...input?.policy };
  const variant = input?.variant ?? 'rfc-v2';
  return {
    n,
    ...planProfileOf(variant),
    evict: profileOf(variant).evict,
    initial: input?.initial ?? 'shared',
    hugetlb: true,
    afterTruncate: policy.afterTruncate,
    truncateWhilePinned: policy.truncateWhilePinned,
    split: policy.split,
    restore: policy.restore,
    pins: Array(n).fill(0),
    retiredPins: Array(n).fill(0),
    available: 1 + (input?.spareHugePages ?? 0),
    splitArmed: false,
  };
}

function blockConfig(n: number) {
  const pageRegions = Object.fromEntries(
    [...Array(n).keys()].map((k) => [
      `p${k}`,
      {
        description: `Page ${k} of the block: the range machine's lifecycle (DOMAIN 5).`,
        initial: 'created',
        states: regionize(rangeStates(`block.pages.p${k}`), k),
      },
    ]),
  );
  const opsWhenOpen = Object.fromEntries(
    OP_TYPES.map((type) => [
      type,
      type === 'close'
        ? { target: 'closed', actions: 'startPlan', description: 'The last reference goes: evict truncates everything without waiting for pins, then releases the subpool (S-V2c, S-W).' }
        : type === 'injectSplitFailure'
          ? { actions: 'armSplitFailure', description: 'The next split of a huge folio at conversion fails ENOMEM (TRACE-FORMAT inject).' }
          : { actions: 'startPlan', description: 'Run the operation\'s plan through the regions in the kernel\'s order (DOMAIN 4; block.plan.ts).' },
    ]),
  );
  const opsWhenClosed = Object.fromEntries(
    OP_TYPES.map((type) => [
      type,
      type === 'unpin' || type === 'settle'
        ? { actions: 'startPlan', description: 'Pins and the merge worker outlive the file (S-V2h).' }
        : { actions: refuse('EBADF'), description: 'The file is closed: EBADF (TRACE-FORMAT close).' },
    ]),
  );
  const booked = { actions: ['book', 'continuePlan'], description: 'Bookkeeping of pins between region steps: pins follow their folio (TRACE-FORMAT pin and unpin).' };
  const bookEvents = { BOOK_PIN: booked, BOOK_UNPIN_CURRENT: booked, BOOK_UNPIN_RETIRED: booked };
  return {
    id: 'block',
    description: 'One HugeTLB block of N pages: its folio and its pages, coordinated per operation (deck; DOMAIN 4).',
    type: 'parallel',
    context: ({ input }: { input: BlockInput | undefined }) => blockContext(n, input),
    on: bookEvents,
    states: {
      inode: {
        description: 'The guest_memfd file descriptor and its inode (DOMAIN 4 close).',
        initial: 'open',
        states: {
          open: { description: 'The file is open: every operation runs (DOMAIN 4).', on: opsWhenOpen },
          closed: { description: 'Closed: the inode was evicted (or, restore=inode-held, lingers without an fd; the deck on restore).', on: opsWhenClosed },
        },
      },
      folio: { description: 'The folio machine for this block (the deck on fapending and restore).', type: 'parallel', states: regionize(folioStates('block.folio'), undefined) },
      pages: { description: 'The range machine, once per page (DOMAIN 5).', type: 'parallel', states: pageRegions },
    },
  } as unknown as MachineConfig<BlockContext, AnyEventObject>;
}

/** The plain view of a block machine snapshot: page states, folio regions, book. */
export function blockViewOf(snapshot: { value: unknown; context: BlockContext }): BlockView & { open: boolean } {
  const value = snapshot.value as {
    inode: 'open' | 'closed';
    folio: { file: FolioFileState; wrapper: FolioWrapperState };
    pages: Record<string, StateValue>;
  };
  const { pins, retiredPins, available, splitArmed, n } = snapshot.context;
  return {
    open: value.inode === 'open',
    pages: [...Array(n).keys()].map((k) => stateLabel(value.pages[`p${k}`]!) as RangeState),
    file: value.folio.file,
    wrapper: value.folio.wrapper,
    pins, retiredPins, available, splitArmed,
  };
}

/** The block machine for blocks of `pages` pages: N is part of the chart's shape, not input. */
export function createBlockMachine(pages = 2) {
  if (!Number.isInteger(pages) || pages < 1) throw new RangeError(`block pages must be a positive integer, got ${pages}`);
  return blockSetup.createMachine(blockConfig(pages) as never);
}

export const blockMachine = createBlockMachine(2);
