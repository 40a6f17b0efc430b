/**
 * The folio machine's table, as data, one table per region: `file` answers
 * the file's events, `wrapper` the allocator wrapper's. `→ none + handoff`
 * means the file lets go of the block and the wrapper takes it (the wrapper's
 * HANDOFF row says where it goes). `composeFolioExpected` combines the two
 * for a whole configuration such as `split+counting`.
 */
import type { Expected, EventVariant, OutcomeText } from './outcome-table';
import { expectedFor, UNCHANGED } from './outcome-table';
import type { FolioEvent, FolioFileState, FolioInput, FolioWrapperState } from './folio.machine';
import { RESTORE, SPLIT, TRUNCATE_WHILE_PINNED, combinations } from './policy';
import { profileOf, VARIANTS } from './variant';

export const FOLIO_FILE_EVENT_VARIANTS: ReadonlyArray<EventVariant<FolioEvent>> = [
  { label: 'ALLOC', event: { type: 'ALLOC', anyShared: false, poolEmpty: false } },
  { label: 'ALLOC(anyShared)', event: { type: 'ALLOC', anyShared: true, poolEmpty: false } },
  { label: 'ALLOC(poolEmpty)', event: { type: 'ALLOC', anyShared: false, poolEmpty: true } },
  { label: 'ALLOC(anyShared,poolEmpty)', event: { type: 'ALLOC', anyShared: true, poolEmpty: true } },
  { label: 'ALLOC(anyShared,splitFails)', event: { type: 'ALLOC', anyShared: true, poolEmpty: false, splitFails: true } },
  { label: 'SHARED_FAULT', event: { type: 'SHARED_FAULT', poolEmpty: false } },
  { label: 'SHARED_FAULT(poolEmpty)', event: { type: 'SHARED_FAULT', poolEmpty: true } },
  { label: 'SHARED_FAULT(splitFails)', event: { type: 'SHARED_FAULT', poolEmpty: false, splitFails: true } },
  { label: 'SHARED_FAULT(gup)', event: { type: 'SHARED_FAULT', poolEmpty: false, gup: true } },
  { label: 'SHARED_FAULT(splitFails,userFault)', event: { type: 'SHARED_FAULT', poolEmpty: false, splitFails: true, userFault: true } },
  { label: 'SPLIT', event: { type: 'SPLIT', fails: false } },
  { label: 'SPLIT(fails)', event: { type: 'SPLIT', fails: true } },
  { label: 'SPLIT(fails,rollbackWraps)', event: { type: 'SPLIT', fails: true, rollbackWraps: true } },
  { label: 'MERGE', event: { type: 'MERGE', pinned: false } },
  { label: 'MERGE(pinned)', event: { type: 'MERGE', pinned: true } },
  { label: 'MERGE(unconditional)', event: { type: 'MERGE', pinned: false, unconditional: true } },
  { label: 'MERGE(unconditional,referenced)', event: { type: 'MERGE', pinned: false, unconditional: true, referenced: true } },
  { label: 'TRUNCATE', event: { type: 'TRUNCATE', pinned: false } },
  { label: 'TRUNCATE(pinned)', event: { type: 'TRUNCATE', pinned: true } },
  { label: 'EVICT_BLOCK', event: { type: 'EVICT_BLOCK', pinned: false } },
  { label: 'EVICT_BLOCK(pinned)', event: { type: 'EVICT_BLOCK', pinned: true } },
  { label: 'EVICT_BLOCK(filePinned)', event: { type: 'EVICT_BLOCK', pinned: false, filePinned: true } },
];

export const FOLIO_WRAPPER_EVENT_VARIANTS: ReadonlyArray<EventVariant<FolioEvent>> = [
  { label: 'SUBFOLIO_FREED', event: { type: 'SUBFOLIO_FREED', last: false } },
  { label: 'SUBFOLIO_FREED(last)', event: { type: 'SUBFOLIO_FREED', last: true } },
  { label: 'SETTLE', event: { type: 'SETTLE' } },
  { label: 'HANDOFF', event: { type: 'HANDOFF' } },
];

export const FOLIO_EVENT_VARIANTS = [...FOLIO_FILE_EVENT_VARIANTS, ...FOLIO_WRAPPER_EVENT_VARIANTS];

/** The trees' (evict, allocSplitFailure) pairs that exist: one per HugeTLB variant's profile, deduplicated. */
export const FOLIO_TREE_INPUTS: ReadonlyArray<Pick<Required<FolioInput>, 'evict' | 'allocSplitFailure'>> = [
  ...new Map(
    VARIANTS.filter((v) => profileOf(v).hugetlb).map((v) => {
      const { evict, allocSplitFailure } = profileOf(v);
      return [`${evict}+${allocSplitFailure}`, { evict, allocSplitFailure }] as const;
    }),
  ).values(),
];

/** Every policy combination under every tree's folio answers. */
export const FOLIO_INPUTS: ReadonlyArray<Required<FolioInput>> = combinations({
  split: SPLIT,
  restore: RESTORE,
  truncateWhilePinned: TRUNCATE_WHILE_PINNED,
}).flatMap((policy) => FOLIO_TREE_INPUTS.map((tree) => ({ ...policy, ...tree })));

const HANDOFF = '→ none + handoff';
/** the file lets go of a block none of whose sub-folios is referenced. */
const HANDOFF_FREE = '→ none + handoff(unreferenced)';
const all = (text: OutcomeText) =>
  Object.fromEntries(FOLIO_FILE_EVENT_VARIANTS.map((v) => [v.label, text])) as Record<string, Expected>;

export const FOLIO_FILE_TABLE: Record<FolioFileState, Record<string, Expected>> = {
  none: {
    ALLOC: '→ huge',
    'ALLOC(anyShared)': { 'split=eager': '→ split', otherwise: '→ huge' },
    'ALLOC(poolEmpty)': 'ENOMEM', 'ALLOC(anyShared,poolEmpty)': 'ENOMEM',
    'ALLOC(anyShared,splitFails)': { 'split=lazy': '→ huge', 'allocSplitFailure=keep-huge': 'ENOMEM → huge', otherwise: 'ENOMEM' },
    SHARED_FAULT: '→ split', 'SHARED_FAULT(poolEmpty)': 'ENOMEM',
    'SHARED_FAULT(splitFails)': { 'split=lazy': '→ split', 'allocSplitFailure=keep-huge': 'ENOMEM → huge', otherwise: 'ENOMEM' },
    'SHARED_FAULT(gup)': '→ split',
    'SHARED_FAULT(splitFails,userFault)': { 'split=lazy': '→ split', 'allocSplitFailure=keep-huge': 'SIGBUS → huge', otherwise: '→ split' },
    SPLIT: '=', 'SPLIT(fails)': '=', 'SPLIT(fails,rollbackWraps)': '=', MERGE: '=', 'MERGE(pinned)': '=', 'MERGE(unconditional)': '=', 'MERGE(unconditional,referenced)': '=',
    TRUNCATE: '=', 'TRUNCATE(pinned)': '=', EVICT_BLOCK: '=', 'EVICT_BLOCK(pinned)': '=', 'EVICT_BLOCK(filePinned)': '=',
  },
  huge: {
    ALLOC: '=', 'ALLOC(anyShared)': '=', 'ALLOC(poolEmpty)': '=', 'ALLOC(anyShared,poolEmpty)': '=', 'ALLOC(anyShared,splitFails)': '=',
    SHARED_FAULT: { 'split=lazy': '→ split', otherwise: 'SIGBUS' }, 'SHARED_FAULT(poolEmpty)': { 'split=lazy': '→ split', otherwise: 'SIGBUS' },
    'SHARED_FAULT(splitFails)': { 'split=lazy': '→ split', otherwise: 'SIGBUS' },
    'SHARED_FAULT(gup)': { 'split=lazy': '→ split', otherwise: 'EFAULT' },
    'SHARED_FAULT(splitFails,userFault)': { 'split=lazy': '→ split', otherwise: 'SIGBUS' },
    SPLIT: { 'split=lazy': '=', otherwise: '→ split' },
    'SPLIT(fails)': { 'split=lazy': '=', otherwise: 'ENOMEM' },
    'SPLIT(fails,rollbackWraps)': { 'split=lazy': '=', otherwise: 'HANG' },
    MERGE: '=', 'MERGE(pinned)': '=', 'MERGE(unconditional)': '=', 'MERGE(unconditional,referenced)': '=',
    TRUNCATE: '→ none', 'TRUNCATE(pinned)': '→ none', EVICT_BLOCK: '→ none', 'EVICT_BLOCK(pinned)': '→ none', 'EVICT_BLOCK(filePinned)': '→ none',
  },
  split: {
    ALLOC: '=', 'ALLOC(anyShared)': '=', 'ALLOC(poolEmpty)': '=', 'ALLOC(anyShared,poolEmpty)': '=', 'ALLOC(anyShared,splitFails)': '=',
    SHARED_FAULT: '=', 'SHARED_FAULT(poolEmpty)': '=', 'SHARED_FAULT(splitFails)': '=', 'SHARED_FAULT(gup)': '=', 'SHARED_FAULT(splitFails,userFault)': '=',
    SPLIT: '=', 'SPLIT(fails)': '=', 'SPLIT(fails,rollbackWraps)': '=',
    MERGE: '→ huge', 'MERGE(pinned)': 'EAGAIN', 'MERGE(unconditional)': '→ huge', 'MERGE(unconditional,referenced)': 'HANG',
    TRUNCATE: '→ none', 'TRUNCATE(pinned)': { 'truncateWhilePinned=eagain': 'EAGAIN', otherwise: HANDOFF },
    EVICT_BLOCK: { 'restore=allocator-wrapper & evict=wrapper-always': HANDOFF_FREE, otherwise: '→ none' },
    'EVICT_BLOCK(pinned)': { 'restore=inode-held': '→ heldByInode', otherwise: HANDOFF },
    'EVICT_BLOCK(filePinned)': { 'restore=inode-held': '→ none', otherwise: HANDOFF_FREE },
  },
  heldByInode: all('='),
};

export const FOLIO_WRAPPER_TABLE: Record<FolioWrapperState, Record<string, Expected>> = {
  empty: { SUBFOLIO_FREED: '=', 'SUBFOLIO_FREED(last)': '=', SETTLE: '=', HANDOFF: '→ counting' },
  counting: { SUBFOLIO_FREED: '=', 'SUBFOLIO_FREED(last)': '→ mergeable', SETTLE: '=', HANDOFF: '=' },
  mergeable: { SUBFOLIO_FREED: '=', 'SUBFOLIO_FREED(last)': '=', SETTLE: '→ empty', HANDOFF: '→ counting' },
};

/**
 * The expected outcome for a whole configuration: a file event is answered by
 * the file region (a handoff also moves the wrapper), a wrapper event by the
 * wrapper region; the other region stays as it is.
 */
export function composeFolioExpected(
  file: FolioFileState,
  wrapper: FolioWrapperState,
  label: string,
  input: Record<string, unknown>,
): OutcomeText | undefined {
  const after = (text: OutcomeText, current: string) => (text === UNCHANGED ? current : text.replace(/^→ /, ''));
  if (label in FOLIO_WRAPPER_TABLE[wrapper]) {
    const w = expectedFor(FOLIO_WRAPPER_TABLE[wrapper][label]!, input);
    if (w === undefined || w === UNCHANGED) return w;
    return w.startsWith('→ ') ? `→ ${file}+${after(w, wrapper)}` : w;
  }
  const f = expectedFor(FOLIO_FILE_TABLE[file][label]!, input);
  const refusedMoving = f === undefined ? null : /^(\w+) → (.*)$/.exec(f);
  if (refusedMoving) return `${refusedMoving[1]} → ${refusedMoving[2]}+${wrapper}`;
  if (f === undefined || f === UNCHANGED || !f.startsWith('→ ')) return f;
  if (f === HANDOFF) {
    const w = expectedFor(FOLIO_WRAPPER_TABLE[wrapper]['HANDOFF']!, input)!;
    return `→ none+${after(w, wrapper)}`;
  }
  // An unreferenced block: HANDOFF, then its last folio_put at once, unless the wrapper counts another block.
  if (f === HANDOFF_FREE) return `→ none+${wrapper === 'counting' ? 'counting' : 'mergeable'}`;
  return `→ ${after(f, file)}+${wrapper}`;
}
