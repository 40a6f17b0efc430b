/**
 * What the planner (machines/block.plan.ts) reads of block b, read from the
 * file as it asks. A class rather than an object literal with a getter: a
 * literal's getter is a fresh closure per call that V8 keeps in the object's
 * hidden class, and that kept every file the explorer forked alive through
 * young-generation collections (40% of the explorer's time went to GC).
 */
import type { BlockFacts } from '../../machines/block.plan';
import { planProfileOf } from '../../machines/block.plan';
import type { FileParts } from './file-parts';
import type { BlockRecord } from './folio-table';
import { STATE_OF_CODE } from './machine-steppers';

export class FileBlockFacts implements BlockFacts {
  readonly n: number;
  readonly index: number;
  readonly file: BlockFacts['file'];
  readonly totalPins: number;
  readonly totalRetiredPins: number;
  readonly noHugePage: boolean;
  readonly splitArmed: boolean;
  readonly filePinned: boolean;
  readonly profile: BlockFacts['profile'];
  private readonly base: number;
  private readonly block: BlockRecord;
  private shared: number | undefined;

  /** `ignorePins`: the seeded bug merge-without-refcount-check (the plan sees no pins). */
  constructor(
    private readonly f: FileParts,
    b: number,
    private readonly ignorePins: boolean,
  ) {
    const { hugetlb, blockPages } = f.geometry;
    const block = f.folios.block(b);
    this.block = block;
    this.base = b * blockPages;
    this.n = blockPages;
    this.index = b;
    this.file = hugetlb ? block.folio.file : f.store.isAllocated(this.base) ? 'split' : 'none';
    this.totalPins = ignorePins ? 0 : block.totalPins;
    this.totalRetiredPins = block.totalRetiredPins;
    this.noHugePage = hugetlb && f.account.reservation === 0 && f.pool.unreserved <= 0;
    // An armed split failure waits for the split of a huge folio: a file without HugeTLB has none (found by gmem explore).
    this.splitArmed = f.splitArmed && hugetlb;
    this.filePinned = f.folios.currentPins > 0;
    this.profile = planProfileOf(f.settings.variant);
  }

  pageState(i: number): ReturnType<BlockFacts['pageState']> {
    return STATE_OF_CODE[this.f.store.pages.get(this.base + i)]!;
  }

  get sharedPages(): number {
    return (this.shared ??= this.f.store.sharedIn(this.base, this.base + this.n));
  }

  sharedPagesIn(from: number, to: number): number {
    return this.f.store.sharedIn(this.base + from, this.base + Math.min(to, this.n));
  }

  firstPinnedIn(from: number, to: number): number {
    if (this.ignorePins) return -1;
    let first = -1;
    for (const page of this.block.pins.keys()) {
      const i = page - this.base;
      if (i >= from && i < to && (first < 0 || i < first)) first = i;
    }
    return first;
  }

  pinsAt(i: number): number {
    return this.ignorePins ? 0 : (this.block.pins.get(this.base + i) ?? 0);
  }

  retiredPinsAt(i: number): number {
    return this.block.retiredPins.get(this.base + i) ?? 0;
  }
}
