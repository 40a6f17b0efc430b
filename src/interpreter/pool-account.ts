/**
 * What the file draws from memory: huge pages charged to its HugeTLB subpool
 * (used_hpages) and whether the subpool lives, the frames its 4K folios get
 * from the page allocator, and st_blocks as the tree keeps it. The
 * reservation in HugePages_Rsvd follows from the first two (S-MM).
 */
import type { FolioMeta, HugePool } from '../arena/pool';

export interface PoolAccountSnapshot {
  /** huge pages charged to the subpool: allocated in the file or pending in the wrapper (used_hpages). */
  readonly used: number;
  /** the subpool exists (released at eviction once nothing is charged, else at the last return; S-MM). */
  readonly subpoolAlive: boolean;
  /** bytes of folios the file holds (st_blocks x 512), kept as the kernel keeps it (0 where it does not: profile.stBlocks). */
  readonly allocatedBytes: number;
  /** the frame the next 4K folio gets: the page allocator hands out frames above the HugeTLB pool's. */
  readonly nextSmallPfn: number;
}

export class PoolAccount implements PoolAccountSnapshot {
  /** The fields no snapshot carries, and why (test/snapshot-fields.test.ts holds every other field to the snapshot). */
  static readonly NOT_IN_SNAPSHOT = {
    pool: "the simulator's: its snapshot carries it",
    nBlocks: "the file's geometry (the subpool's min_size)",
    countsBytes: "the tree's profile (stBlocks)",
  };

  used: number;
  subpoolAlive: boolean;
  allocatedBytes: number;
  nextSmallPfn: number;

  /** Before any folio: nothing charged, the subpool alive with HugeTLB, the 4K frames starting above the pool's. */
  static initial(hugetlb: boolean, pool: HugePool): PoolAccountSnapshot {
    return { used: 0, subpoolAlive: hugetlb, allocatedBytes: 0, nextSmallPfn: pool.hugePages * pool.pagesPerHuge };
  }

  constructor(
    state: PoolAccountSnapshot,
    private readonly pool: HugePool,
    private readonly nBlocks: number,
    private readonly countsBytes: boolean,
  ) {
    this.used = state.used;
    this.subpoolAlive = state.subpoolAlive;
    this.allocatedBytes = state.allocatedBytes;
    this.nextSmallPfn = state.nextSmallPfn;
  }

  snapshot(): PoolAccountSnapshot {
    return { used: this.used, subpoolAlive: this.subpoolAlive, allocatedBytes: this.allocatedBytes, nextSmallPfn: this.nextSmallPfn };
  }

  /** What the subpool still reserves in HugePages_Rsvd (its min_size less what is charged). */
  get reservation(): number {
    return this.subpoolAlive ? Math.max(0, this.nBlocks - this.used) : 0;
  }

  /** A huge page from the pool, charged to the subpool: its reservation covers the first nBlocks charged; beyond it (a deferred truncate) the page is unreserved. */
  takeHuge(): FolioMeta {
    const reserved = this.reservation > 0;
    this.used++;
    return this.pool.take(reserved);
  }

  /** A 4K folio fresh from the page allocator. */
  takeSmall(): FolioMeta {
    return { head: this.nextSmallPfn++, originalOrder: 0, order: 0, pins: new Map() };
  }

  /** A huge page back to the pool; while the subpool lives and is not over-charged the reservation comes back too. */
  returnHuge(meta: FolioMeta): void {
    this.used--;
    const reserved = this.subpoolAlive && this.used < this.nBlocks;
    this.pool.giveBack(meta, reserved);
  }

  /** st_blocks follows the folios, where the tree keeps it (profile.stBlocks; 6.12 never calls inode_add_bytes: S-ML612). */
  countBytes(delta: number): void {
    if (this.countsBytes) this.allocatedBytes += delta;
  }

  /** The subpool goes: HugePages_Rsvd drops by what it still reserves (S-MM hugepage_put_subpool). */
  releaseSubpool(): void {
    if (!this.subpoolAlive) return;
    this.pool.unreserve(this.reservation);
    this.subpoolAlive = false;
  }
}
