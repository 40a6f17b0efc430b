/**
 * The HugeTLB pool with the counters /proc/meminfo shows (HugePages_Free,
 * HugePages_Rsvd; DOMAIN 10), and the per-folio metadata the kernel keeps in
 * its vmemmap and in the global restructuring table (S-W): current order,
 * original order, and the extra references (pins) on each sub-folio.
 *
 * Huge page k occupies page frames [k*N, (k+1)*N): a block is physically
 * contiguous by construction, split or not (INV-13). Split and merge change
 * only the metadata here; no byte moves.
 */
export interface FolioMeta {
  /** first page frame of the huge page. */
  head: number;
  /** the order it was allocated at; restored before it goes back (INV-5). */
  originalOrder: number;
  /** the order now: originalOrder while huge, 0 after a split. */
  order: number;
  /** extra references per sub-page index (GUP pins). */
  pins: Map<number, number>;
}

export interface PoolReturn {
  head: number;
  order: number;
  originalOrder: number;
}

/** The pool's state; a snapshot shares the live free list and metadata table, restore copies them. */
export interface PoolSnapshot {
  readonly hugePages: number;
  readonly pagesPerHuge: number;
  readonly free: number;
  readonly rsvd: number;
  readonly cgroupRsvd: number;
  readonly cgroupUsage: number;
  readonly freeList: ReadonlyArray<number>;
  readonly fresh: number;
  readonly meta: ReadonlyMap<number, FolioMeta>;
}

export class HugePool {
  /** The fields no snapshot carries, and why (test/snapshot-fields.test.ts holds every other field to the snapshot). */
  static readonly NOT_IN_SNAPSHOT = {
    returns: 'a log the invariant checks read from the length they noted before the step (captureBefore): a copy starts it empty',
  };

  free: number;
  rsvd = 0;
  /** the hugetlb cgroup's rsvd.usage_in_bytes, in huge pages (DOMAIN 10). */
  cgroupRsvd = 0;
  /** the hugetlb cgroup's usage_in_bytes, in huge pages. */
  cgroupUsage = 0;
  /** huge pages given back, the last on top; below them, every page from `fresh` up was never handed out. */
  private readonly freeList: number[] = [];
  private fresh = 0;
  private readonly meta = new Map<number, FolioMeta>();
  /** every return to the pool, for INV-5. */
  readonly returns: PoolReturn[] = [];

  constructor(
    readonly hugePages: number,
    /** pages per huge page (N). */
    readonly pagesPerHuge: number,
  ) {
    this.free = hugePages;
    // A stack: hand out low pages first, as a fresh pool would, then the page freed last (TRACE-FORMAT physical pages).
    // The never-used pages are a counter, not a list: a pool of 2^25 huge pages costs nothing until they are taken.
  }

  get order(): number {
    return Math.log2(this.pagesPerHuge);
  }

  /** Free pages not promised to any reservation. */
  get unreserved(): number {
    return this.free - this.rsvd;
  }

  reserve(blocks: number): void {
    this.rsvd += blocks;
  }

  unreserve(blocks: number): void {
    this.rsvd -= blocks;
  }

  /** Takes a huge page; `reserved`: it draws on a reservation (rsvd drops with free). */
  take(reserved: boolean): FolioMeta {
    const index = this.freeList.pop() ?? (this.fresh < this.hugePages ? this.fresh++ : undefined);
    if (index === undefined) throw new Error('HugeTLB pool exhausted: the caller must check first');
    this.free -= 1;
    this.cgroupUsage += 1;
    if (reserved) this.rsvd -= 1;
    const folio: FolioMeta = { head: index * this.pagesPerHuge, originalOrder: this.order, order: this.order, pins: new Map() };
    this.meta.set(folio.head, folio);
    return folio;
  }

  /** Gives a huge page back; `reserved`: it returns to a live file's reservation. */
  giveBack(folio: FolioMeta, reserved: boolean): void {
    this.returns.push({ head: folio.head, order: folio.order, originalOrder: folio.originalOrder });
    this.meta.delete(folio.head);
    this.freeList.push(folio.head / this.pagesPerHuge);
    this.free += 1;
    this.cgroupUsage -= 1;
    if (reserved) this.rsvd += 1;
  }

  /** The folio a page frame belongs to, as the kernel's page_folio() would find it. */
  folioOfPfn(pfn: number): { head: number; order: number } | undefined {
    const head = pfn - (pfn % this.pagesPerHuge);
    const folio = this.meta.get(head);
    if (!folio) return undefined;
    return folio.order === 0 ? { head: pfn, order: 0 } : { head, order: folio.order };
  }

  /** The folio's reference count at a frame, as page_ref_count would give it: the filemap's one plus pins. */
  refcountOf(pfn: number): number | undefined {
    const head = pfn - (pfn % this.pagesPerHuge);
    const folio = this.meta.get(head);
    if (!folio) return undefined;
    if (folio.order > 0) return 1 + [...folio.pins.values()].reduce((a, b) => a + b, 0);
    return 1 + (folio.pins.get(pfn - head) ?? 0);
  }

  get liveFolios(): IterableIterator<FolioMeta> {
    return this.meta.values();
  }

  snapshot(): PoolSnapshot {
    const { hugePages, pagesPerHuge, free, rsvd, cgroupRsvd, cgroupUsage, freeList, fresh, meta } = this;
    return { hugePages, pagesPerHuge, free, rsvd, cgroupRsvd, cgroupUsage, freeList, fresh, meta };
  }

  /**
   * Holds what `state` describes from now on (a pool of the same size), its
   * free list and metadata copied, `copyOfFolio` giving each folio's copy so
   * that the file's records and pins that share a folio with the pool still
   * share it. The return log starts empty.
   */
  restore(state: PoolSnapshot, copyOfFolio: (folio: FolioMeta) => FolioMeta): void {
    if (state.hugePages !== this.hugePages || state.pagesPerHuge !== this.pagesPerHuge) throw new RangeError(`a pool of ${state.hugePages} x ${state.pagesPerHuge} pages restored into one of ${this.hugePages} x ${this.pagesPerHuge}`);
    if (state.freeList === this.freeList) return; // its own state
    this.free = state.free;
    this.rsvd = state.rsvd;
    this.cgroupRsvd = state.cgroupRsvd;
    this.cgroupUsage = state.cgroupUsage;
    this.freeList.length = 0;
    for (const k of state.freeList) this.freeList.push(k);
    this.fresh = state.fresh;
    this.meta.clear();
    for (const [head, folio] of state.meta) this.meta.set(head, copyOfFolio(folio));
    this.returns.length = 0;
  }

  /** An independent copy; `copyOfFolio` as for restore. */
  clone(copyOfFolio: (folio: FolioMeta) => FolioMeta): HugePool {
    const copy = new HugePool(this.hugePages, this.pagesPerHuge);
    copy.restore(this.snapshot(), copyOfFolio);
    return copy;
  }
}
