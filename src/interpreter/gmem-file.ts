/**
 * One guest_memfd file over the arena: per-page state as one byte each, per
 * block the folio machine's two labels, and the arena objects the machines
 * act on (huge folios from the pool, pins, host and guest mappings, bytes).
 *
 * Nothing here decides what is legal. Operations become plans
 * (machines/block.plan.ts); every step is answered by the range or folio
 * machine through the memoised steppers; refusals come back as the machines
 * name them, and arena effects happen where the folio machine names them.
 * Steps over many pages are applied in bulk with one table per event.
 */
import type { BlockFacts, BlockOp, BookStep, PageStep, PagesStep, PlanStep } from '../../machines/block.plan';
import { isBookStep, isPagesStep, planOp, planProfileOf } from '../../machines/block.plan';
import type { VariantProfile } from '../../machines/variant';
import type { FolioEffect, FolioEvent } from '../../machines/folio.machine';
import type { Refusal } from '../../machines/outcome';
import type { Policy, Shareability, Variant, VmType } from '../../machines/policy';
import type { RangeEvent } from '../../machines/range.machine';
import type { PhysicalMemory } from '../arena/memory';
import type { FaultName } from './simulator';
import type { FolioMeta, HugePool } from '../arena/pool';
import type { FolioState } from './steppers';
import { deleteRange } from './page-sets';
import { FolioStepper, IS_ALLOCATED_CODE, IS_SHARED_CODE, PAGE_CODE, RangeStepper, STATE_OF_CODE } from './steppers';

export interface FileGeometry {
  size: number;
  pageSize: number;
  /** pages per block: hugePageSize / pageSize with HugeTLB, else 1. */
  blockPages: number;
  hugetlb: boolean;
  mmap: boolean;
  initShared: boolean;
}

export interface FileSettings {
  variant: Variant;
  /** the tree's choices (machines/variant.ts): the only place the interpreter learns how trees differ. */
  profile: VariantProfile;
  vmType: VmType;
  policy: Policy;
  /** seeded bugs (tests only; see FAULTS in simulator.ts). */
  faults: ReadonlySet<FaultName>;
}

/** A pin: GUP's extra reference on the folio at a page, in some process. */
export interface PinRecord {
  page: number;
  process: number;
  folio: FolioMeta;
  /** the folio has left the file (wrapper, deferred truncate, evicted 4K page). */
  retired: boolean;
}

export interface BlockRecord {
  folio: FolioState;
  /** the folio the file holds for this block. */
  meta?: FolioMeta;
  /** folios that left the file while pinned and wait in the allocator wrapper. */
  retired: FolioMeta[];
  /** a huge stage-2 mapping covers the block. */
  guestHuge: boolean;
  pins: Map<number, number>;
  retiredPins: Map<number, number>;
  totalPins: number;
  totalRetiredPins: number;
}

const CODES = STATE_OF_CODE.length;

export class GmemFile {
  readonly nPages: number;
  readonly nBlocks: number;
  /** range machine state per page, as its index in RANGE_STATES. */
  readonly pages: Uint8Array;
  /** per block, how many pages are in each state (bulk steps skip what cannot change). */
  readonly codeCounts: Int32Array;
  /** PG_uptodate of the folio holding the page (the same for every page of a huge folio; S-V2h). */
  readonly uptodate: Uint8Array;
  /** the page was exposed (host or guest mapped) since its folio joined the file (INV-9 as checked). */
  readonly exposed: Uint8Array;
  /** tdx-huge-v3 under tdx: the block had a private 4k mapping or a split leaf, so it never maps huge again. */
  readonly noPromote: Uint8Array;
  /** INV-9 breaks seen in this step: a page exposed holding bytes, or zeroing that clears an exposed page. */
  contentBreaks: Array<{ page: number; detail: string; defect?: string }> = [];
  readonly blocks: BlockRecord[];
  readonly guest4k = new Set<number>();
  readonly hostMaps = new Map<number, Set<number>>();
  readonly pinStack: PinRecord[] = [];
  /** huge pages charged to the subpool: allocated in the file or pending in the wrapper (used_hpages). */
  used = 0;
  /** the subpool exists (released at eviction once nothing is charged, else at the last return; S-MM). */
  subpoolAlive: boolean;
  /** the fd is open. */
  fdOpen = true;
  /** processes that map the file (each mapping holds a reference: vma->vm_file). */
  readonly mappers = new Set<number>();
  /** the VM's memslot binding exists (unbind deletes it). */
  bound = true;
  /** the inode was evicted: the last reference went (S-ML kvm_gmem_release). */
  released = false;
  /** `close` dropped every reference at once: afterwards only unpin, settle and check. */
  closed = false;
  splitArmed = false;
  /** bytes of folios the file holds (st_blocks x 512), kept as the kernel keeps it. */
  allocatedBytes = 0;
  /** pages whose shareability changed since the last reset: count and span (for INV-6). */
  shareabilityChanges = { count: 0, first: Infinity, last: -Infinity };
  private nextSmallPfn: number;
  private readonly range: RangeStepper;
  private readonly folio: FolioStepper;

  constructor(
    readonly geometry: FileGeometry,
    readonly settings: FileSettings,
    readonly pool: HugePool,
    readonly memory: PhysicalMemory,
  ) {
    const { size, pageSize, blockPages } = geometry;
    this.nPages = size / pageSize;
    this.nBlocks = this.nPages / blockPages;
    const initial: Shareability = geometry.initShared ? 'shared' : 'private';
    this.pages = new Uint8Array(this.nPages).fill(PAGE_CODE[initial === 'shared' ? 'faultable.unallocated' : 'unfaultable.unallocated']);
    this.codeCounts = new Int32Array(this.nBlocks * CODES);
    for (let b = 0; b < this.nBlocks; b++) this.codeCounts[b * CODES + this.pages[0]!] = blockPages;
    this.uptodate = new Uint8Array(this.nPages);
    this.exposed = new Uint8Array(this.nPages);
    this.noPromote = new Uint8Array(this.nBlocks);
    this.blocks = Array.from({ length: this.nBlocks }, () => ({
      folio: { file: 'none', wrapper: 'empty' },
      retired: [],
      guestHuge: false,
      pins: new Map(),
      retiredPins: new Map(),
      totalPins: 0,
      totalRetiredPins: 0,
    }));
    this.subpoolAlive = geometry.hugetlb;
    // 4K folios come from the page allocator, above the HugeTLB pool's frames.
    this.nextSmallPfn = pool.hugePages * pool.pagesPerHuge;
    const { policy } = settings;
    const faults = settings.faults;
    this.range = RangeStepper.for({
      initial,
      hugetlb: geometry.hugetlb,
      afterTruncate: faults.has('punch-resets-shareability') ? 'reset' : policy.afterTruncate,
      truncateWhilePinned: policy.truncateWhilePinned,
    });
    this.folio = FolioStepper.for({
      split: faults.has('lazy-split') ? 'lazy' : policy.split,
      restore: policy.restore,
      truncateWhilePinned: policy.truncateWhilePinned,
      evict: settings.profile.evict,
      allocSplitFailure: settings.profile.allocSplitFailure,
    });
  }

  /** What the subpool still reserves in HugePages_Rsvd (its min_size less what is charged). */
  get reservation(): number {
    return this.subpoolAlive ? Math.max(0, this.nBlocks - this.used) : 0;
  }

  get pageSize(): number {
    return this.geometry.pageSize;
  }
  get blockPages(): number {
    return this.geometry.blockPages;
  }
  /** the inode lives: a reference is left, or (restore=inode-held) it holds split blocks. */
  get inodeAlive(): boolean {
    return !this.released || this.blocks.some((b) => b.folio.file === 'heldByInode');
  }
  /** the folio holding a page is huge. */
  isHuge(page: number): boolean {
    return this.geometry.hugetlb && this.blocks[Math.floor(page / this.blockPages)]!.folio.file === 'huge';
  }
  get pendingMerge(): number {
    return this.blocks.reduce((n, b) => n + b.retired.length, 0);
  }

  shareability(page: number): Shareability {
    return IS_SHARED_CODE[this.pages[page]!] ? 'shared' : 'private';
  }
  isAllocated(page: number): boolean {
    return IS_ALLOCATED_CODE[this.pages[page]!]!;
  }
  /** the page frame backing a page, while the file holds its folio. */
  pfn(page: number): number | undefined {
    const block = this.blocks[Math.floor(page / this.blockPages)]!;
    return block.meta ? block.meta.head + (page % this.blockPages) : undefined;
  }
  /** the order of the folio holding a page, or null while unallocated. */
  folioOrder(page: number): number | null {
    if (!this.isAllocated(page)) return null;
    const block = this.blocks[Math.floor(page / this.blockPages)]!;
    return block.folio.file === 'huge' ? Math.log2(this.blockPages) : 0;
  }

  // ---- running plans ----------------------------------------------------

  facts(b: number): BlockFacts {
    const block = this.blocks[b]!;
    const base = b * this.blockPages;
    const counts = this.codeCounts.subarray(b * CODES, (b + 1) * CODES);
    return {
      n: this.blockPages,
      pageState: (i) => STATE_OF_CODE[this.pages[base + i]!]!,
      sharedPages: counts.reduce((n, c, code) => n + (IS_SHARED_CODE[code] ? c : 0), 0),
      sharedPagesIn: (from, to) => {
        let n = 0;
        for (let p = base + from; p < base + to; p++) if (IS_SHARED_CODE[this.pages[p]!]) n++;
        return n;
      },
      firstPinnedIn: (from, to) => {
        let first = -1;
        for (const page of block.pins.keys()) {
          const i = page - base;
          if (i >= from && i < to && (first < 0 || i < first)) first = i;
        }
        return first;
      },
      file: this.geometry.hugetlb ? block.folio.file : this.isAllocated(base) ? 'split' : 'none',
      pinsAt: (i) => block.pins.get(base + i) ?? 0,
      retiredPinsAt: (i) => block.retiredPins.get(base + i) ?? 0,
      totalPins: block.totalPins,
      totalRetiredPins: block.totalRetiredPins,
      noHugePage: this.geometry.hugetlb && this.reservation === 0 && this.pool.unreserved <= 0,
      // An armed split failure waits for the split of a huge folio: a file without HugeTLB has none (found by gmem explore).
      splitArmed: this.splitArmed && this.geometry.hugetlb,
      filePinned: this.blocks.some((x) => x.totalPins > 0),
      profile: planProfileOf(this.settings.variant),
    };
  }

  /** Plans an operation on block b and runs it; the first refusal stops it. */
  runOp(b: number, op: BlockOp): Refusal | undefined {
    return this.runPlan(b, planOp(this.factsFor(b, op), op));
  }

  /** The facts a plan sees; the seeded refcount bug hides pins from conversions. */
  private factsFor(b: number, op: BlockOp): BlockFacts {
    const facts = this.facts(b);
    if (op.type !== 'convert' || !this.settings.faults.has('merge-without-refcount-check')) return facts;
    return { ...facts, totalPins: 0, firstPinnedIn: () => -1, pinsAt: () => 0 };
  }

  /**
   * The refusal an operation would meet, without changing anything: the plan
   * runs against an overlay of the block's page states and folio state.
   */
  probe(b: number, op: BlockOp): Refusal | undefined {
    const base = b * this.blockPages;
    const overlay = new Map<number, number>();
    const code = (p: number) => overlay.get(p) ?? this.pages[p]!;
    let folio = this.blocks[b]!.folio;
    for (const step of planOp(this.factsFor(b, op), op)) {
      if (isBookStep(step)) continue;
      if (isPagesStep(step) || 'page' in step) {
        const { pages, except, page, ...event } = step as PagesStep & PageStep;
        const table = this.range.table(event as RangeEvent);
        const [from, to] = pages ?? [page, page + 1];
        for (let p = base + from; p < base + Math.min(to, this.blockPages); p++) {
          if (except !== undefined && p === base + except) continue;
          const c = code(p);
          if (table.refusal[c]) return table.refusal[c];
          if (table.next[c] !== c) overlay.set(p, table.next[c]!);
        }
        continue;
      }
      if (!this.geometry.hugetlb) continue;
      const outcome = this.folio.step(folio, step);
      if (outcome.refusal) return outcome.refusal;
      folio = outcome.next;
    }
    return undefined;
  }

  runPlan(b: number, plan: ReadonlyArray<PlanStep>): Refusal | undefined {
    for (const step of plan) {
      const refusal = isBookStep(step)
        ? this.book(b, step)
        : isPagesStep(step)
          ? this.stepPages(b, step)
          : 'page' in step
            ? this.stepPage(b, step)
            : this.stepFolio(b, step);
      if (refusal) return refusal;
    }
    return undefined;
  }

  private stepPage(b: number, step: PageStep): Refusal | undefined {
    const { page, ...event } = step;
    const p = b * this.blockPages + page;
    const table = this.range.table(event as RangeEvent);
    const code = this.pages[p]!;
    if (table.refusal[code]) return table.refusal[code];
    this.setPage(p, table.next[code]!);
    return undefined;
  }

  private stepPages(b: number, step: PagesStep): Refusal | undefined {
    const { pages, except, ...event } = step;
    const table = this.range.table(event as RangeEvent);
    const base = b * this.blockPages;
    const from = base + pages[0];
    const to = base + Math.min(pages[1], this.blockPages);
    const skip = except === undefined ? -1 : base + except;
    const whole = pages[0] === 0 && pages[1] >= this.blockPages;
    if (whole) {
      // Decide from the block's state counts whether anything can refuse or change.
      let changes = false;
      for (let code = 0; code < CODES; code++) {
        const present = this.codeCounts[b * CODES + code]! - (skip >= 0 && this.pages[skip] === code ? 1 : 0);
        if (present <= 0) continue;
        if (table.refusal[code]) return table.refusal[code];
        if (table.next[code] !== code) changes = true;
      }
      if (!changes) return undefined;
    } else {
      for (let p = from; p < to; p++) if (p !== skip && table.refusal[this.pages[p]!]) return table.refusal[this.pages[p]!];
    }
    for (let p = from; p < to; p++) {
      if (p === skip) continue;
      const code = this.pages[p]!;
      const next = table.next[code]!;
      if (next !== code) this.setPage(p, next);
    }
    return undefined;
  }

  /** Sets a page's state; on a file without HugeTLB the page is its own block and folio. */
  private setPage(p: number, next: number): void {
    const b = Math.floor(p / this.blockPages);
    const before = this.pages[p]!;
    this.codeCounts[b * CODES + before]! -= 1;
    this.codeCounts[b * CODES + next]! += 1;
    this.pages[p] = next;
    if (IS_SHARED_CODE[before] !== IS_SHARED_CODE[next]) {
      const c = this.shareabilityChanges;
      c.count++;
      if (p < c.first) c.first = p;
      if (p > c.last) c.last = p;
    }
    if (this.geometry.hugetlb) return;
    const block = this.blocks[b]!;
    if (!IS_ALLOCATED_CODE[before] && IS_ALLOCATED_CODE[next]) {
      // Pages of files without HugeTLB come fresh from the page allocator: zeroed.
      block.meta = { head: this.nextSmallPfn++, originalOrder: 0, order: 0, pins: new Map() };
      this.allocatedBytes += this.pageSize;
      this.uptodate[p] = 0;
      this.exposed[p] = 0;
    } else if (IS_ALLOCATED_CODE[before] && !IS_ALLOCATED_CODE[next]) {
      // Into truncate: the 4K folio leaves the file now; pins keep it alive outside.
      this.retireFolio(b);
    }
  }

  private stepFolio(b: number, event: FolioEvent): Refusal | undefined {
    if (!this.geometry.hugetlb) return undefined; // 4K files have no HugeTLB folio to split or merge
    const block = this.blocks[b]!;
    const outcome = this.folio.step(block.folio, event);
    for (const effect of outcome.effects) this.applyEffect(b, effect);
    // A refusal keeps the state, unless the tree's defect moves it anyway (K6).
    block.folio = outcome.next;
    return outcome.refusal;
  }

  private book(b: number, step: BookStep): undefined {
    const block = this.blocks[b]!;
    const p = b * this.blockPages + step.page;
    if (step.type === 'BOOK_PIN') {
      block.pins.set(p, (block.pins.get(p) ?? 0) + 1);
      block.totalPins++;
    } else if (step.type === 'BOOK_UNPIN_CURRENT') {
      decrement(block.pins, p);
      block.totalPins--;
    } else {
      decrement(block.retiredPins, p);
      block.totalRetiredPins--;
    }
    return undefined;
  }

  // ---- arena effects named by the folio machine -------------------------

  private applyEffect(b: number, effect: FolioEffect): void {
    const block = this.blocks[b]!;
    switch (effect) {
      case 'takeFromPool': {
        // The subpool's reservation covers the first nBlocks charged; beyond it (a deferred truncate) the page is unreserved.
        const reserved = this.reservation > 0;
        this.used++;
        block.meta = this.pool.take(reserved);
        this.allocatedBytes += this.blockPages * this.pageSize;
        // A fresh block's folio is not uptodate; hugetlb does not zero it (S-Wh gmem_hugetlb_alloc_folio).
        this.uptodate.fill(0, b * this.blockPages, (b + 1) * this.blockPages);
        this.exposed.fill(0, b * this.blockPages, (b + 1) * this.blockPages);
        return;
      }
      case 'split':
        // Every sub-folio keeps the huge folio's PG_uptodate: the per-page flags already say it (S-V2h split).
        block.meta!.order = 0;
        return;
      case 'merge': {
        // The merged folio takes sub-folio 0's PG_uptodate (S-V2h guestmem_hugetlb_merge_folio; K2).
        block.meta!.order = block.meta!.originalOrder;
        const base = b * this.blockPages;
        this.uptodate.fill(this.uptodate[base]!, base, base + this.blockPages);
        return;
      }
      case 'freeToPool': {
        const meta = block.meta!;
        // Seeded bug: a split block goes back as order-0 pieces, unmerged.
        if (this.settings.faults.has('piecemeal-pool-return') && block.folio.file === 'split') meta.order = 0;
        this.dropFolio(b);
        this.giveBack(meta);
        return;
      }
      case 'handToWrapper':
        this.retireFolio(b);
        return;
      case 'mergeAndReturn':
        for (const meta of block.retired) {
          if (!this.settings.faults.has('piecemeal-pool-return')) meta.order = meta.originalOrder; // seeded bug: no merge
          this.giveBack(meta);
        }
        block.retired = [];
        return;
      case 'splitFailed':
        this.splitArmed = false;
        return;
    }
  }

  /**
   * A huge page back to the pool. tdx and snp hand pages back cleared (TDX
   * clears what it reclaims), sw-protected keeps the bytes. While the subpool
   * lives and is not over-charged the reservation comes back too; the last
   * return after eviction releases the subpool (S-MM unlock_or_release_subpool).
   */
  private giveBack(meta: FolioMeta): void {
    if (this.settings.vmType !== 'sw-protected') {
      for (const pfn of this.memory.framesIn(meta.head, meta.head + this.blockPages)) this.memory.zeroPage(pfn);
    }
    this.used--;
    const reserved = this.subpoolAlive && this.used < this.nBlocks;
    this.pool.giveBack(meta, reserved);
    if (this.released && this.used === 0 && !this.inodeHeld) this.releaseSubpool();
  }

  /** restore=inode-held keeps blocks with the evicted inode: nothing is released. */
  get inodeHeld(): boolean {
    return this.blocks.some((b) => b.folio.file === 'heldByInode');
  }

  /** The subpool goes: HugePages_Rsvd drops by what it still reserves (S-MM hugepage_put_subpool). */
  releaseSubpool(): void {
    if (!this.subpoolAlive) return;
    this.pool.unreserve(this.reservation);
    this.subpoolAlive = false;
  }

  /** The file stops holding the block's folio: mappings go, the next folio is zeroed anew. */
  private dropFolio(b: number): void {
    const block = this.blocks[b]!;
    block.meta = undefined;
    block.guestHuge = false;
    this.allocatedBytes -= this.geometry.hugetlb ? this.blockPages * this.pageSize : this.pageSize;
    const from = b * this.blockPages;
    const to = from + this.blockPages;
    this.uptodate.fill(0, from, to);
    this.exposed.fill(0, from, to);
    deleteRange(this.guest4k, from, to);
    for (const pages of this.hostMaps.values()) deleteRange(pages, from, to);
  }

  /** The folio leaves the file with its pins (allocator wrapper, deferred truncate, 4K eviction). */
  private retireFolio(b: number): void {
    const block = this.blocks[b]!;
    const meta = block.meta!;
    this.dropFolio(b);
    for (const pin of this.pinStack) if (pin.folio === meta) pin.retired = true;
    for (const [p, n] of block.pins) block.retiredPins.set(p, (block.retiredPins.get(p) ?? 0) + n);
    block.totalRetiredPins += block.totalPins;
    block.pins.clear();
    block.totalPins = 0;
    if (this.geometry.hugetlb) block.retired.push(meta);
  }
}

function decrement(map: Map<number, number>, key: number): void {
  const n = (map.get(key) ?? 0) - 1;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
