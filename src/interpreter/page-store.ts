/**
 * The file's per-page state, each kept as runs (RunMap, like the kernel's
 * maple tree of shareability) so a 1 GiB block in one state costs one
 * entry: the range machine's state as its code, PG_uptodate of the folio
 * holding the page, whether the page was exposed since its folio joined the
 * file, the 4 KiB guest mappings, each process's host mapping, and (in-place
 * tdx) the pages whose accept is pending.
 */
import type { Shareability } from '../../machines/policy';
import { PageSet } from './page-set';
import { RunMap } from './run-map';
import type { StepChanges } from './step-changes';
import { IS_ALLOCATED_CODE, IS_SHARED_CODE } from './machine-steppers';

/** The pages' state; a snapshot shares the live maps, the PageStore made from it copies them. */
export interface PageStoreSnapshot {
  readonly pages: RunMap<number>;
  readonly uptodate: RunMap<number>;
  readonly exposed: RunMap<number>;
  readonly guest4k: PageSet;
  readonly acceptPending: ReadonlySet<number>;
  readonly hostMaps: ReadonlyMap<number, PageSet>;
}

export class PageStore {
  /** The fields no snapshot carries, and why (test/snapshot-fields.test.ts holds every other field to the snapshot). */
  static readonly NOT_IN_SNAPSHOT = { changes: "the file's record of what a step changed (told of every mapping change), not state" };

  /** range machine state per page, as its index in RANGE_STATES. */
  readonly pages: RunMap<number>;
  /** PG_uptodate of the folio holding the page (the same for every page of a huge folio; S-V2h). */
  readonly uptodate: RunMap<number>;
  /** the page was exposed (host or guest mapped) since its folio joined the file (INV-9 as checked). */
  readonly exposed: RunMap<number>;
  readonly guest4k: PageSet;
  /**
   * In-place trees under tdx: pages made private since their last private
   * mapping; the guest's accept (TDH.MEM.PAGE.AUG + TDG.MEM.PAGE.ACCEPT)
   * zeroes them at the next private fault (DOMAIN 6, S-TDXk).
   */
  readonly acceptPending: Set<number>;
  /** each process's host mapping of the file, made at its first fault. */
  readonly hostMaps: Map<number, PageSet>;

  /** A file of nPages pages before any operation: every page `initialCode`, not uptodate, not exposed, mapped nowhere. */
  static initial(nPages: number, initialCode: number): PageStoreSnapshot {
    return { pages: new RunMap<number>(nPages, initialCode), uptodate: new RunMap<number>(nPages, 0), exposed: new RunMap<number>(nPages, 0), guest4k: new PageSet(nPages), acceptPending: new Set(), hostMaps: new Map() };
  }

  /** The pages as `state` describes them, copied (the runs copy-on-write); mapping changes are told to `changes`. */
  constructor(
    state: PageStoreSnapshot,
    private readonly changes: StepChanges,
  ) {
    this.pages = state.pages.clone();
    this.uptodate = state.uptodate.clone();
    this.exposed = state.exposed.clone();
    this.guest4k = state.guest4k.clone(changes.onMappingChange);
    // Filled by loops: a Set or Map made from another runs the iterator protocol even when that one is empty.
    this.acceptPending = new Set();
    if (state.acceptPending.size) for (const p of state.acceptPending) this.acceptPending.add(p);
    this.hostMaps = new Map();
    if (state.hostMaps.size) for (const [process, pages] of state.hostMaps) this.hostMaps.set(process, pages.clone(changes.onMappingChange));
  }

  snapshot(): PageStoreSnapshot {
    return { pages: this.pages, uptodate: this.uptodate, exposed: this.exposed, guest4k: this.guest4k, acceptPending: this.acceptPending, hostMaps: this.hostMaps };
  }

  get nPages(): number {
    return this.pages.length;
  }

  shareability(page: number): Shareability {
    return IS_SHARED_CODE[this.pages.get(page)] ? 'shared' : 'private';
  }

  isAllocated(page: number): boolean {
    return IS_ALLOCATED_CODE[this.pages.get(page)]!;
  }

  /** Shared pages among pages [from, to): O(runs there). */
  sharedIn(from: number, to: number): number {
    let n = 0;
    for (const run of this.pages.runs(from, to)) if (IS_SHARED_CODE[run.value]) n += run.to - run.from;
    return n;
  }

  /** The process's host mapping of the file's pages, made at its first fault. */
  hostMap(process: number): PageSet {
    let pages = this.hostMaps.get(process);
    if (!pages) this.hostMaps.set(process, (pages = new PageSet(this.nPages, this.changes.onMappingChange)));
    return pages;
  }

  /** Every host mapping of every process goes at once (eviction, close). */
  dropHostMaps(): void {
    if (this.hostMaps.size) this.changes.all = true;
    this.hostMaps.clear();
  }

  /** One process's mapping of the file goes (munmap of the whole file). */
  dropHostMap(process: number): void {
    if (this.hostMaps.delete(process)) this.changes.all = true;
  }

  /** Pages [from, to) hold a folio new to the file: not uptodate (hugetlb does not zero it), not exposed. */
  freshFolio(from: number, to: number): void {
    this.uptodate.set(from, to, 0);
    this.exposed.set(from, to, 0);
  }

  /** The file stops holding the folio at pages [from, to): its flags go and every mapping of it. */
  forgetFolio(from: number, to: number): void {
    this.freshFolio(from, to);
    this.guest4k.deleteRange(from, to);
    for (const pages of this.hostMaps.values()) pages.deleteRange(from, to);
  }
}
