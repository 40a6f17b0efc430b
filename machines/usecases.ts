/**
 * The deck's six use cases ("Guest_memfd Usecases" slide), each as a named
 * event sequence on the range machine with the deck's words, the input it
 * starts from, the state it must pass through (`from`) and the state it must
 * reach (`to`). The tests walk each one; the spec prints them.
 */
import type { RangeEvent, RangeInput, RangeState } from './range.machine';

export interface DeckUseCase {
  name: string;
  /** the deck's words for the transition and who needs it. */
  deck: string;
  why: string;
  input: RangeInput;
  events: RangeEvent[];
  /** a state the sequence must pass through (the deck's source state), if not the start. */
  from?: RangeState;
  to: RangeState;
}

const noPool = { poolEmpty: false } as const;

export const DECK_USE_CASES: ReadonlyArray<DeckUseCase> = [
  {
    name: 'initial-faultable-unallocated',
    deck: 'Initial faultable unallocated - Non-CoCo VMs, SNP VMs',
    why: 'A non-CoCo or SNP VM creates the file with INIT_SHARED: every page starts shared, nothing allocated (S-ML).',
    input: { initial: 'shared' },
    events: [],
    to: 'faultable.unallocated',
  },
  {
    name: 'initial-unfaultable-unallocated',
    deck: 'Initial unfaultable unallocated - TDX VMs',
    why: 'A TDX VM creates the file private: the host cannot fault any page until userspace converts it (S-TDX).',
    input: { initial: 'private' },
    events: [],
    to: 'unfaultable.unallocated',
  },
  {
    name: 'ballooning-truncate-pending',
    deck: 'Faultable allocated -> truncate pending - Memory ballooning with non-coco VMs',
    why: 'The balloon driver returns a shared page that the host still pins (vhost, VFIO); the punch cannot free the folio, so truncation waits (truncateWhilePinned=defer, the deck\'s "truncate pending").',
    input: { initial: 'shared', truncateWhilePinned: 'defer' },
    events: [{ type: 'HOST_FAULT', ...noPool }, { type: 'PIN', ...noPool }, { type: 'PUNCH', pinned: true }],
    from: 'faultable.allocated',
    to: 'truncate.pending.shared',
  },
  {
    name: 'inode-cleanup-truncate-ready',
    deck: 'Unfaultable allocated -> truncate ready - Inode cleanup',
    why: 'The VM is destroyed: the last close evicts the inode; private pages hold no host references, so every folio can be freed at once (S-V2c).',
    input: { initial: 'private' },
    events: [{ type: 'GUEST_FAULT', access: 'private', ...noPool }, { type: 'EVICT', pinned: false }],
    from: 'unfaultable.allocated',
    to: 'truncate.ready.private',
  },
  {
    name: 'ballooning-faultable-unallocated',
    deck: 'Truncate ready -> faultable unallocated - Memory ballooning',
    why: 'The ballooned page is freed and stays shared, so the guest can fault it back in later and read zeroes (S-IPt truncate).',
    input: { initial: 'shared' },
    events: [{ type: 'HOST_FAULT', ...noPool }, { type: 'PUNCH', pinned: false }, { type: 'FOLIO_FREED' }],
    from: 'truncate.ready.shared',
    to: 'faultable.unallocated',
  },
  {
    name: 'truncate-ready-unfaultable-unallocated',
    deck: 'Truncate ready -> unfaultable unallocated - No real usecase yet',
    why: 'A private page is punched and stays private: legal and kept by the model, though the deck knows no user yet.',
    input: { initial: 'private' },
    events: [{ type: 'GUEST_FAULT', access: 'private', ...noPool }, { type: 'PUNCH', pinned: false }, { type: 'FOLIO_FREED' }],
    from: 'truncate.ready.private',
    to: 'unfaultable.unallocated',
  },
];
