/**
 * The range machine's complete state x event table, as data: what the kernel
 * does with each event in each state. `=` accepts and changes nothing; an
 * errno is a refusal; a record picks the outcome by policy. The table test
 * holds the machine to this, and the generated spec prints it.
 */
import type { Expected, EventVariant } from './outcome-table';
import type { RangeEvent, RangeInput, RangeState } from './range.machine';
import { AFTER_TRUNCATE, SHAREABILITY, TRUNCATE_WHILE_PINNED, combinations } from './policy';

export const RANGE_EVENT_VARIANTS: ReadonlyArray<EventVariant<RangeEvent>> = [
  { label: 'HOST_FAULT', event: { type: 'HOST_FAULT', poolEmpty: false } },
  { label: 'HOST_FAULT(poolEmpty)', event: { type: 'HOST_FAULT', poolEmpty: true } },
  { label: 'GUEST_FAULT(shared)', event: { type: 'GUEST_FAULT', access: 'shared', poolEmpty: false } },
  { label: 'GUEST_FAULT(shared,poolEmpty)', event: { type: 'GUEST_FAULT', access: 'shared', poolEmpty: true } },
  { label: 'GUEST_FAULT(private)', event: { type: 'GUEST_FAULT', access: 'private', poolEmpty: false } },
  { label: 'GUEST_FAULT(private,poolEmpty)', event: { type: 'GUEST_FAULT', access: 'private', poolEmpty: true } },
  { label: 'ALLOCATE', event: { type: 'ALLOCATE', poolEmpty: false } },
  { label: 'ALLOCATE(poolEmpty)', event: { type: 'ALLOCATE', poolEmpty: true } },
  { label: 'CONVERT_TO_SHARED', event: { type: 'CONVERT_TO_SHARED' } },
  { label: 'CONVERT_TO_PRIVATE', event: { type: 'CONVERT_TO_PRIVATE', pinned: false } },
  { label: 'CONVERT_TO_PRIVATE(pinned)', event: { type: 'CONVERT_TO_PRIVATE', pinned: true } },
  { label: 'PUNCH', event: { type: 'PUNCH', pinned: false } },
  { label: 'PUNCH(pinned)', event: { type: 'PUNCH', pinned: true } },
  { label: 'EVICT', event: { type: 'EVICT', pinned: false } },
  { label: 'EVICT(pinned)', event: { type: 'EVICT', pinned: true } },
  { label: 'PIN', event: { type: 'PIN', poolEmpty: false } },
  { label: 'PIN(poolEmpty)', event: { type: 'PIN', poolEmpty: true } },
  { label: 'UNPIN(held)', event: { type: 'UNPIN', held: true } },
  { label: 'UNPIN', event: { type: 'UNPIN', held: false } },
  { label: 'HOST_UNMAP', event: { type: 'HOST_UNMAP' } },
  { label: 'FOLIO_FREED', event: { type: 'FOLIO_FREED' } },
  { label: 'FOLIO_DETACHED', event: { type: 'FOLIO_DETACHED' } },
];

/** Every input combination whose behaviour the table distinguishes. */
export const RANGE_INPUTS: ReadonlyArray<Required<RangeInput>> = combinations({
  initial: SHAREABILITY,
  hugetlb: [true, false] as const,
  afterTruncate: AFTER_TRUNCATE,
  truncateWhilePinned: TRUNCATE_WHILE_PINNED,
});

const MF = 'EFAULT(memory-fault)';
const RETRY = 'EAGAIN';
const unpin = { 'UNPIN(held)': '=', UNPIN: 'EINVAL' } as const;
const quiet = { HOST_UNMAP: '=', FOLIO_FREED: '=', FOLIO_DETACHED: '=' } as const;
const backTo = (held: 'shared' | 'private'): Expected =>
  held === 'shared'
    ? { 'afterTruncate=reset & initial=private': '→ unfaultable.unallocated', otherwise: '→ faultable.unallocated' }
    : { 'afterTruncate=reset & initial=shared': '→ faultable.unallocated', otherwise: '→ unfaultable.unallocated' };
const pinnedPunch = (held: 'shared' | 'private'): Expected => ({
  'hugetlb=true & truncateWhilePinned=eagain': 'EAGAIN',
  otherwise: `→ truncate.pending.${held}`,
});
const truncating = (phase: 'pending' | 'ready', held: 'shared' | 'private'): Record<string, Expected> => ({
  HOST_FAULT: RETRY, 'HOST_FAULT(poolEmpty)': RETRY,
  'GUEST_FAULT(shared)': RETRY, 'GUEST_FAULT(shared,poolEmpty)': RETRY,
  'GUEST_FAULT(private)': RETRY, 'GUEST_FAULT(private,poolEmpty)': RETRY,
  ALLOCATE: RETRY, 'ALLOCATE(poolEmpty)': RETRY,
  CONVERT_TO_SHARED: RETRY, CONVERT_TO_PRIVATE: RETRY, 'CONVERT_TO_PRIVATE(pinned)': RETRY,
  PUNCH: '=', 'PUNCH(pinned)': '=', EVICT: '=', 'EVICT(pinned)': '=',
  PIN: RETRY, 'PIN(poolEmpty)': RETRY,
  ...unpin,
  HOST_UNMAP: '=',
  FOLIO_FREED: phase === 'ready' ? backTo(held) : '=',
  FOLIO_DETACHED: phase === 'pending' ? backTo(held) : '=',
});

export const RANGE_TABLE: Record<RangeState, Record<string, Expected>> = {
  'faultable.unallocated': {
    HOST_FAULT: '→ faultable.allocated', 'HOST_FAULT(poolEmpty)': 'ENOMEM',
    'GUEST_FAULT(shared)': '→ faultable.allocated', 'GUEST_FAULT(shared,poolEmpty)': 'ENOMEM',
    'GUEST_FAULT(private)': MF, 'GUEST_FAULT(private,poolEmpty)': MF,
    ALLOCATE: '→ faultable.allocated', 'ALLOCATE(poolEmpty)': 'ENOMEM',
    CONVERT_TO_SHARED: '=', CONVERT_TO_PRIVATE: '→ unfaultable.unallocated', 'CONVERT_TO_PRIVATE(pinned)': '→ unfaultable.unallocated',
    PUNCH: { 'afterTruncate=reset & initial=private': '→ unfaultable.unallocated', otherwise: '=' },
    'PUNCH(pinned)': { 'afterTruncate=reset & initial=private': '→ unfaultable.unallocated', otherwise: '=' },
    EVICT: '=', 'EVICT(pinned)': '=',
    PIN: '→ faultable.allocated', 'PIN(poolEmpty)': 'ENOMEM',
    ...unpin, ...quiet,
  },
  'faultable.allocated': {
    HOST_FAULT: '=', 'HOST_FAULT(poolEmpty)': '=',
    'GUEST_FAULT(shared)': '=', 'GUEST_FAULT(shared,poolEmpty)': '=',
    'GUEST_FAULT(private)': MF, 'GUEST_FAULT(private,poolEmpty)': MF,
    ALLOCATE: '=', 'ALLOCATE(poolEmpty)': '=',
    CONVERT_TO_SHARED: '=', CONVERT_TO_PRIVATE: '→ unfaultable.allocated', 'CONVERT_TO_PRIVATE(pinned)': 'EAGAIN',
    PUNCH: '→ truncate.ready.shared', 'PUNCH(pinned)': pinnedPunch('shared'),
    EVICT: '→ truncate.ready.shared', 'EVICT(pinned)': '→ truncate.pending.shared',
    PIN: '=', 'PIN(poolEmpty)': '=',
    ...unpin, ...quiet,
  },
  'unfaultable.unallocated': {
    HOST_FAULT: 'SIGBUS', 'HOST_FAULT(poolEmpty)': 'SIGBUS',
    'GUEST_FAULT(shared)': MF, 'GUEST_FAULT(shared,poolEmpty)': MF,
    'GUEST_FAULT(private)': '→ unfaultable.allocated', 'GUEST_FAULT(private,poolEmpty)': 'ENOMEM',
    ALLOCATE: '→ unfaultable.allocated', 'ALLOCATE(poolEmpty)': 'ENOMEM',
    CONVERT_TO_SHARED: '→ faultable.unallocated', CONVERT_TO_PRIVATE: '=', 'CONVERT_TO_PRIVATE(pinned)': '=',
    PUNCH: { 'afterTruncate=reset & initial=shared': '→ faultable.unallocated', otherwise: '=' },
    'PUNCH(pinned)': { 'afterTruncate=reset & initial=shared': '→ faultable.unallocated', otherwise: '=' },
    EVICT: '=', 'EVICT(pinned)': '=',
    PIN: 'EFAULT', 'PIN(poolEmpty)': 'EFAULT',
    ...unpin, ...quiet,
  },
  'unfaultable.allocated': {
    HOST_FAULT: 'SIGBUS', 'HOST_FAULT(poolEmpty)': 'SIGBUS',
    'GUEST_FAULT(shared)': MF, 'GUEST_FAULT(shared,poolEmpty)': MF,
    'GUEST_FAULT(private)': '=', 'GUEST_FAULT(private,poolEmpty)': '=',
    ALLOCATE: '=', 'ALLOCATE(poolEmpty)': '=',
    CONVERT_TO_SHARED: '→ faultable.allocated', CONVERT_TO_PRIVATE: '=', 'CONVERT_TO_PRIVATE(pinned)': '=',
    PUNCH: '→ truncate.ready.private', 'PUNCH(pinned)': pinnedPunch('private'),
    EVICT: '→ truncate.ready.private', 'EVICT(pinned)': '→ truncate.pending.private',
    PIN: 'EFAULT', 'PIN(poolEmpty)': 'EFAULT',
    ...unpin, ...quiet,
  },
  'truncate.pending.shared': truncating('pending', 'shared'),
  'truncate.pending.private': truncating('pending', 'private'),
  'truncate.ready.shared': truncating('ready', 'shared'),
  'truncate.ready.private': truncating('ready', 'private'),
};
