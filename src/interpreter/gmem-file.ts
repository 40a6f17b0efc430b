/**
 * One guest_memfd file over the arena: per-page state as runs (RunMap, like
 * the kernel's maple tree of shareability), per block the folio machine's two
 * labels, and the arena objects the machines act on (huge folios from the
 * pool, pins, host and guest mappings, bytes). A block has a record only once
 * an operation ran on it, so a file of 2^25 blocks costs nothing until touched.
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
import { PhysicalMemory } from '../arena/memory';
import type { FaultName } from './config';
import type { FolioMeta, HugePool } from '../arena/pool';
import type { FolioState, PageTable } from './steppers';
import BTree from 'sorted-btree';
import { PageSet } from './page-set';
import { RunMap } from './run-map';
import { UsageError } from '../input-error';
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
  /** seeded bugs (tests only; see FAULTS in config.ts). */
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

/** What one step changed, told by the structures as they change: the incremental invariant checks look only there. */
export interface StepChanges {
  /** page ranges [from, to) where a range-machine state, a host mapping or a 4 KiB guest mapping changed. */
  ranges: number[];
  /** blocks an operation ran on, or whose record (folio, metadata, pins, huge guest mapping) changed. */
  blocks: Set<number>;
  /** pages whose shareability changed: count and span (INV-6). */
  shareability: { count: number; first: number; last: number };
  /** something changed everywhere at once (a process's mapping dropped, eviction): check the whole file. */
  all: boolean;
}

export function noChanges(): StepChanges {
  return { ranges: [], blocks: new Set(), shareability: { count: 0, first: Infinity, last: -Infinity }, all: false };
}

/** How many blocks a file's operations may touch (each gets a record): a valid trace beyond it is refused, not run out of memory. */
export const MAX_TOUCHED_BLOCKS = 1 << 18;

/** What a block holds before any operation ran on it (shared, never written to). */
const UNTOUCHED: BlockRecord = Object.freeze({
  folio: Object.freeze({ file: 'none', wrapper: 'empty' }) as FolioState,
  retired: Object.freeze([]) as unknown as FolioMeta[],
  guestHuge: false,
  pins: new Map<number, number>(),
  retiredPins: new Map<number, number>(),
  totalPins: 0,
  totalRetiredPins: 0,
});

export class GmemFile {
  readonly nPages: number;
  readonly nBlocks: number;
  /** range machine state per page, as its index in RANGE_STATES, kept as runs. */
  readonly pages: RunMap<number>;
  /** the code every page starts in. */
  readonly initialCode: number;
  /** PG_uptodate of the folio holding the page (the same for every page of a huge folio; S-V2h). */
  readonly uptodate: RunMap<number>;
  /** the page was exposed (host or guest mapped) since its folio joined the file (INV-9 as checked). */
  readonly exposed: RunMap<number>;
  /** tdx-huge-v3 under tdx: blocks that had a private 4k mapping or a split leaf, so they never map huge again. */
  readonly noPromote = new Set<number>();
  /**
   * In-place trees under tdx: pages made private since their last private
   * mapping; the guest's accept (TDH.MEM.PAGE.AUG + TDG.MEM.PAGE.ACCEPT)
   * zeroes them at the next private fault (DOMAIN 6, S-TDXk).
   */
  readonly acceptPending = new Set<number>();
  /** INV-9 breaks seen in this step: a page exposed holding bytes, or zeroing that clears an exposed page. */
  contentBreaks: Array<{ page: number; detail: string; defect?: string }> = [];
  /** the records of blocks an operation ever ran on, by index (sorted). */
  readonly records = new BTree<number, BlockRecord>(undefined, (a, b) => a - b);
  /** every block by index, as `blocks[b]`: its record, or the untouched block's (read-only view for readers and reports). */
  readonly blocks: { readonly [b: number]: BlockRecord };
  readonly guest4k: PageSet;
  readonly hostMaps = new Map<number, PageSet>();
  readonly pinStack: PinRecord[] = [];
  /** what the current step changed (reset by captureBefore). */
  changes: StepChanges = noChanges();
  /** blocks whose record holds a folio (INV-11's count, kept as records change). */
  heldFolios = 0;
  /** pins on folios the file holds, over every block (a plan's filePinned). */
  currentPins = 0;
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
  /** bytes of folios the file holds (st_blocks x 512), kept as the kernel keeps it (0 where it does not: profile.stBlocks). */
  allocatedBytes = 0;
  /**
   * profile.sharedMemory 'memslot' (S-ML612, DOMAIN 7.4): the memslot's
   * userspace memory, where a guest's shared accesses land, by page of the
   * file (frame p is page p): zero until written, apart from the file's
   * folios, untouched by conversions, punches and the file's release.
   * Undefined where shared pages are the file's own folios.
   */
  readonly slotMemory: PhysicalMemory | undefined;
  private nextSmallPfn: number;
  private readonly range: RangeStepper;
  private readonly folio: FolioStepper;
  /** told of every change of a page's range-machine state. */
  private readonly onPageChange: (from: number, to: number, old: number, next: number) => void;
  /** told of every change of a host or guest mapping. */
  readonly onMappingChange: (from: number, to: number) => void;

  constructor(
    readonly geometry: FileGeometry,
    readonly settings: FileSettings,
    readonly pool: HugePool,
    readonly memory: PhysicalMemory,
    /** the file this one is a clone of (clone): its per-page maps are copied and its steppers shared. */
    like?: GmemFile,
  ) {
    const { size, pageSize, blockPages } = geometry;
    this.nPages = size / pageSize;
    this.nBlocks = this.nPages / blockPages;
    const initial: Shareability = geometry.initShared ? 'shared' : 'private';
    this.initialCode = PAGE_CODE[initial === 'shared' ? 'faultable.unallocated' : 'unfaultable.unallocated'];
    this.pages = like ? like.pages.clone() : new RunMap<number>(this.nPages, this.initialCode);
    this.uptodate = like ? like.uptodate.clone() : new RunMap<number>(this.nPages, 0);
    this.exposed = like ? like.exposed.clone() : new RunMap<number>(this.nPages, 0);
    this.onMappingChange = (from, to) => {
      this.changes.ranges.push(from, to);
    };
    this.onPageChange = (from, to, old, next) => this.pageChanged(from, to, old, next);
    const records = this.records;
    this.blocks = new Proxy(Object.create(null) as { [b: number]: BlockRecord }, {
      get: (_, key) => (typeof key === 'string' && /^\d+$/.test(key) && Number(key) < this.nBlocks ? (records.get(Number(key)) ?? UNTOUCHED) : undefined),
    });
    this.guest4k = like ? like.guest4k.clone(this.onMappingChange) : new PageSet(this.nPages, this.onMappingChange);
    this.slotMemory = settings.profile.sharedMemory === 'memslot' ? (like?.slotMemory?.clone() ?? new PhysicalMemory(pageSize)) : undefined;
    this.subpoolAlive = geometry.hugetlb;
    // 4K folios come from the page allocator, above the HugeTLB pool's frames.
    this.nextSmallPfn = pool.hugePages * pool.pagesPerHuge;
    const { policy } = settings;
    const faults = settings.faults;
    if (like) {
      this.range = like.range;
      this.folio = like.folio;
      return;
    }
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

  /**
   * An independent copy of the file over `pool` and `memory` (the explorer
   * forks a state per step it tries, src/explore/expand.ts): per-page runs
   * copied on write, every record, pin and mapping copied, `twin` giving each
   * folio's copy so what shares a folio here shares its copy there. The
   * step's change record starts empty, as after materialize.
   */
  clone(pool: HugePool, memory: PhysicalMemory, twin: (folio: FolioMeta) => FolioMeta): GmemFile {
    // Made by the constructor (which copies the per-page maps), so the copy has the same shape (V8 hidden class) and its own listeners and `blocks` view.
    const copy = new GmemFile(this.geometry, this.settings, pool, memory, this);
    const copyMap = (m: Map<number, number>) => (m.size ? new Map(m) : new Map<number, number>());
    this.records.forEachPair((b, r) => {
      copy.records.set(b, {
        folio: { file: r.folio.file, wrapper: r.folio.wrapper },
        ...(r.meta ? { meta: twin(r.meta) } : {}),
        retired: r.retired.length ? r.retired.map(twin) : [],
        guestHuge: r.guestHuge,
        pins: copyMap(r.pins),
        retiredPins: copyMap(r.retiredPins),
        totalPins: r.totalPins,
        totalRetiredPins: r.totalRetiredPins,
      });
    });
    for (const b of this.noPromote) copy.noPromote.add(b);
    for (const p of this.acceptPending) copy.acceptPending.add(p);
    for (const q of this.mappers) copy.mappers.add(q);
    for (const [process, pages] of this.hostMaps) copy.hostMaps.set(process, pages.clone(copy.onMappingChange));
    for (const pin of this.pinStack) copy.pinStack.push({ ...pin, folio: twin(pin.folio) });
    Object.assign(copy, {
      contentBreaks: [...this.contentBreaks],
      heldFolios: this.heldFolios,
      currentPins: this.currentPins,
      used: this.used,
      subpoolAlive: this.subpoolAlive,
      fdOpen: this.fdOpen,
      bound: this.bound,
      released: this.released,
      closed: this.closed,
      splitArmed: this.splitArmed,
      allocatedBytes: this.allocatedBytes,
      nextSmallPfn: this.nextSmallPfn,
    });
    return copy;
  }

  /** The block's record, or the untouched block's (read only). */
  block(b: number): BlockRecord {
    return this.records.get(b) ?? UNTOUCHED;
  }

  /** The block's record, made on first use: an operation is about to change it. */
  private ensureBlock(b: number): BlockRecord {
    let record = this.records.get(b);
    if (!record) {
      // A record costs a few hundred bytes: past this many touched blocks the process would run out of memory.
      if (this.records.size >= MAX_TOUCHED_BLOCKS) {
        throw new UsageError(`the file's operations touch more than ${MAX_TOUCHED_BLOCKS.toLocaleString('en')} blocks (block ${b} of ${this.nBlocks.toLocaleString('en')}): the model keeps a record per touched block and refuses beyond that`);
      }
      record = { folio: { file: 'none', wrapper: 'empty' }, retired: [], guestHuge: false, pins: new Map(), retiredPins: new Map(), totalPins: 0, totalRetiredPins: 0 };
      this.records.set(b, record);
    }
    return record;
  }

  /** The block's record for a change of its huge guest mapping (stage2.ts). */
  recordFor(b: number): BlockRecord {
    this.changes.blocks.add(b);
    return this.ensureBlock(b);
  }

  /** The process's host mapping of the file's pages, made at its first fault. */
  hostMap(process: number): PageSet {
    let pages = this.hostMaps.get(process);
    if (!pages) this.hostMaps.set(process, (pages = new PageSet(this.nPages, this.onMappingChange)));
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
    return !this.released || this.inodeHeld;
  }
  /** the folio holding a page is huge. */
  isHuge(page: number): boolean {
    return this.geometry.hugetlb && this.block(Math.floor(page / this.blockPages)).folio.file === 'huge';
  }
  get pendingMerge(): number {
    let n = 0;
    this.records.forEach((b) => {
      n += b.retired.length;
    });
    return n;
  }

  /** The page's range-machine state, as its code. */
  code(page: number): number {
    return this.pages.get(page);
  }
  shareability(page: number): Shareability {
    return IS_SHARED_CODE[this.pages.get(page)] ? 'shared' : 'private';
  }
  isAllocated(page: number): boolean {
    return IS_ALLOCATED_CODE[this.pages.get(page)]!;
  }
  /** the page frame backing a page, while the file holds its folio. */
  pfn(page: number): number | undefined {
    const meta = this.records.get(Math.floor(page / this.blockPages))?.meta;
    return meta ? meta.head + (page % this.blockPages) : undefined;
  }
  /** the order of the folio holding a page, or null while unallocated. */
  folioOrder(page: number): number | null {
    if (!this.isAllocated(page)) return null;
    return this.block(Math.floor(page / this.blockPages)).folio.file === 'huge' ? Math.log2(this.blockPages) : 0;
  }
  /** Shared pages among pages [from, to) of the file: O(runs there). */
  sharedIn(from: number, to: number): number {
    let n = 0;
    for (const run of this.pages.runs(from, to)) if (IS_SHARED_CODE[run.value]) n += run.to - run.from;
    return n;
  }
  /** Shared pages of block b. */
  sharedPagesOf(b: number): number {
    return this.sharedIn(b * this.blockPages, (b + 1) * this.blockPages);
  }

  // ---- running plans ----------------------------------------------------

  facts(b: number): BlockFacts {
    return new FileBlockFacts(this, b, false);
  }

  /** Plans an operation on block b and runs it; the first refusal stops it. */
  runOp(b: number, op: BlockOp): Refusal | undefined {
    return this.runPlan(b, planOp(this.factsFor(b, op), op));
  }

  /**
   * Runs an operation on every block in order, as the kernel walks the
   * whole file (eviction, the merge worker). Blocks no operation ever ran on
   * are all alike, so the first of them stands for the rest: when the
   * machines change nothing in it, nothing changes in the others either and
   * they are skipped; otherwise every block is run. `each` sees each refusal.
   */
  forEveryBlock(op: BlockOp, each: (b: number, refusal: Refusal | undefined) => void): void {
    const touched = this.records.keysArray();
    let stand = 0;
    while (stand < touched.length && touched[stand] === stand) stand++;
    if (stand >= this.nBlocks) stand = -1;
    let dense = false;
    let prev = -1;
    const visit = (b: number) => each(b, this.runOp(b, op));
    for (const t of [...touched, this.nBlocks]) {
      if (dense) for (let b = prev + 1; b < t; b++) visit(b);
      else if (stand > prev && stand < t) {
        dense = !this.runStandIn(stand, op, each);
        if (dense) for (let b = stand + 1; b < t; b++) visit(b);
      }
      if (t < this.nBlocks) visit(t);
      prev = t;
    }
  }

  /** Runs the op on an untouched block; true when it changed nothing there (its record is then dropped again). */
  private runStandIn(b: number, op: BlockOp, each: (b: number, refusal: Refusal | undefined) => void): boolean {
    const base = b * this.blockPages;
    const before = { used: this.used, bytes: this.allocatedBytes, returns: this.pool.returns.length, free: this.pool.free, rsvd: this.pool.rsvd };
    const refusal = this.runOp(b, op);
    each(b, refusal);
    const record = this.records.get(b)!;
    const same =
      refusal === undefined &&
      this.pages.every(base, base + this.blockPages, this.initialCode) &&
      record.folio.file === 'none' &&
      record.folio.wrapper === 'empty' &&
      !record.meta &&
      record.retired.length === 0 &&
      record.totalPins === 0 &&
      record.totalRetiredPins === 0 &&
      !record.guestHuge &&
      before.used === this.used &&
      before.bytes === this.allocatedBytes &&
      before.returns === this.pool.returns.length &&
      before.free === this.pool.free &&
      before.rsvd === this.pool.rsvd;
    if (same) this.records.delete(b);
    return same;
  }

  /** The facts a plan sees; the seeded refcount bug hides pins from conversions. */
  private factsFor(b: number, op: BlockOp): BlockFacts {
    return new FileBlockFacts(this, b, op.type === 'convert' && this.settings.faults.has('merge-without-refcount-check'));
  }

  /**
   * The refusal an operation would meet, without changing anything: the plan
   * runs against a copy of the block's page runs and its folio state.
   */
  probe(b: number, op: BlockOp): Refusal | undefined {
    const base = b * this.blockPages;
    const overlay = new RunMap<number>(this.blockPages, this.initialCode);
    for (const run of this.pages.runs(base, base + this.blockPages)) overlay.set(run.from - base, run.to - base, run.value);
    let folio = this.block(b).folio;
    for (const step of planOp(this.factsFor(b, op), op)) {
      if (isBookStep(step)) continue;
      if (isPagesStep(step) || 'page' in step) {
        const { pages, except, page, ...event } = step as PagesStep & PageStep;
        const table = this.range.table(event as RangeEvent);
        const [from, to] = pages ?? [page, page + 1];
        const refusal = firstRefusal(overlay, table, from, Math.min(to, this.blockPages), except);
        if (refusal) return refusal;
        applyTable(overlay, table, from, Math.min(to, this.blockPages), except);
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
    this.changes.blocks.add(b);
    this.ensureBlock(b);
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
    const code = this.pages.get(p);
    if (table.refusal[code]) return table.refusal[code];
    const next = table.next[code]!;
    if (next !== code) this.pages.set(p, p + 1, next, this.onPageChange);
    return undefined;
  }

  private stepPages(b: number, step: PagesStep): Refusal | undefined {
    const { pages, except, ...event } = step;
    const table = this.range.table(event as RangeEvent);
    const base = b * this.blockPages;
    const from = base + pages[0];
    const to = base + Math.min(pages[1], this.blockPages);
    const skip = except === undefined ? undefined : base + except;
    const whole = pages[0] === 0 && pages[1] >= this.blockPages;
    if (whole) {
      // Over a whole block the refusal is that of the lowest state present, as the block's state counts gave it.
      const present = new Set<number>();
      for (const run of this.pages.runs(from, to)) if (!(skip !== undefined && run.from === skip && run.to === skip + 1)) present.add(run.value);
      for (const code of [...present].sort((x, y) => x - y)) if (table.refusal[code]) return table.refusal[code];
    } else {
      const refusal = firstRefusal(this.pages, table, from, to, skip);
      if (refusal) return refusal;
    }
    applyTable(this.pages, table, from, to, skip, this.onPageChange);
    return undefined;
  }

  /** A run of pages changed state: record it; on a file without HugeTLB each page is its own block and folio. */
  private pageChanged(from: number, to: number, before: number, next: number): void {
    this.changes.ranges.push(from, to);
    if (IS_SHARED_CODE[before] !== IS_SHARED_CODE[next]) {
      const c = this.changes.shareability;
      c.count += to - from;
      if (from < c.first) c.first = from;
      if (to - 1 > c.last) c.last = to - 1;
    }
    if (this.geometry.hugetlb) return;
    for (let p = from; p < to; p++) {
      if (!IS_ALLOCATED_CODE[before] && IS_ALLOCATED_CODE[next]) {
        // Pages of files without HugeTLB come fresh from the page allocator: zeroed.
        this.setMeta(p, this.ensureBlock(p), { head: this.nextSmallPfn++, originalOrder: 0, order: 0, pins: new Map() });
        this.countBytes(this.pageSize);
        this.uptodate.set(p, p + 1, 0);
        this.exposed.set(p, p + 1, 0);
      } else if (IS_ALLOCATED_CODE[before] && !IS_ALLOCATED_CODE[next]) {
        // Into truncate: the 4K folio leaves the file now; pins keep it alive outside.
        this.retireFolio(p);
      }
    }
  }

  /** st_blocks follows the folios, where the tree keeps it (profile.stBlocks; 6.12 never calls inode_add_bytes: S-ML612). */
  private countBytes(delta: number): void {
    if (this.settings.profile.stBlocks) this.allocatedBytes += delta;
  }

  /** The file starts or stops holding the block's folio (INV-11's running count follows). */
  private setMeta(b: number, block: BlockRecord, meta: FolioMeta | undefined): void {
    if (!block.meta && meta) this.heldFolios++;
    if (block.meta && !meta) this.heldFolios--;
    block.meta = meta;
    this.changes.blocks.add(b);
  }

  private stepFolio(b: number, event: FolioEvent): Refusal | undefined {
    if (!this.geometry.hugetlb) return undefined; // 4K files have no HugeTLB folio to split or merge
    const block = this.ensureBlock(b);
    const outcome = this.folio.step(block.folio, event);
    for (const effect of outcome.effects) this.applyEffect(b, effect);
    // A refusal keeps the state, unless the tree's defect moves it anyway (K6).
    block.folio = outcome.next;
    return outcome.refusal;
  }

  private book(b: number, step: BookStep): undefined {
    const block = this.ensureBlock(b);
    const p = b * this.blockPages + step.page;
    this.changes.ranges.push(p, p + 1);
    if (step.type === 'BOOK_PIN') {
      block.pins.set(p, (block.pins.get(p) ?? 0) + 1);
      block.totalPins++;
      this.currentPins++;
    } else if (step.type === 'BOOK_UNPIN_CURRENT') {
      decrement(block.pins, p);
      block.totalPins--;
      this.currentPins--;
    } else {
      decrement(block.retiredPins, p);
      block.totalRetiredPins--;
    }
    return undefined;
  }

  // ---- arena effects named by the folio machine -------------------------

  private applyEffect(b: number, effect: FolioEffect): void {
    const block = this.ensureBlock(b);
    const base = b * this.blockPages;
    switch (effect) {
      case 'takeFromPool': {
        // The subpool's reservation covers the first nBlocks charged; beyond it (a deferred truncate) the page is unreserved.
        const reserved = this.reservation > 0;
        this.used++;
        this.setMeta(b, block, this.pool.take(reserved));
        this.countBytes(this.blockPages * this.pageSize);
        // A fresh block's folio is not uptodate; hugetlb does not zero it (S-Wh gmem_hugetlb_alloc_folio).
        this.uptodate.set(base, base + this.blockPages, 0);
        this.exposed.set(base, base + this.blockPages, 0);
        return;
      }
      case 'split':
        // Every sub-folio keeps the huge folio's PG_uptodate: the per-page flags already say it (S-V2h split).
        block.meta!.order = 0;
        return;
      case 'merge': {
        // The merged folio takes sub-folio 0's PG_uptodate (S-V2h guestmem_hugetlb_merge_folio; K2).
        block.meta!.order = block.meta!.originalOrder;
        this.uptodate.set(base, base + this.blockPages, this.uptodate.get(base));
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
    let held = false;
    this.records.forEach((b) => {
      if (b.folio.file === 'heldByInode') held = true;
    });
    return held;
  }

  /** The subpool goes: HugePages_Rsvd drops by what it still reserves (S-MM hugepage_put_subpool). */
  releaseSubpool(): void {
    if (!this.subpoolAlive) return;
    this.pool.unreserve(this.reservation);
    this.subpoolAlive = false;
  }

  /** The file stops holding the block's folio: mappings go, the next folio is zeroed anew. */
  private dropFolio(b: number): void {
    const block = this.ensureBlock(b);
    this.setMeta(b, block, undefined);
    block.guestHuge = false;
    this.countBytes(-(this.geometry.hugetlb ? this.blockPages * this.pageSize : this.pageSize));
    const from = b * this.blockPages;
    const to = from + this.blockPages;
    this.uptodate.set(from, to, 0);
    this.exposed.set(from, to, 0);
    this.guest4k.deleteRange(from, to);
    for (const pages of this.hostMaps.values()) pages.deleteRange(from, to);
  }

  /** The folio leaves the file with its pins (allocator wrapper, deferred truncate, 4K eviction). */
  private retireFolio(b: number): void {
    const block = this.ensureBlock(b);
    const meta = block.meta!;
    this.dropFolio(b);
    for (const pin of this.pinStack) if (pin.folio === meta) pin.retired = true;
    for (const [p, n] of block.pins) {
      block.retiredPins.set(p, (block.retiredPins.get(p) ?? 0) + n);
      this.changes.ranges.push(p, p + 1);
    }
    block.totalRetiredPins += block.totalPins;
    this.currentPins -= block.totalPins;
    block.pins.clear();
    block.totalPins = 0;
    if (this.geometry.hugetlb) block.retired.push(meta);
  }
}

/**
 * What the planner (machines/block.plan.ts) reads of block b, read from the
 * file as it asks. A class rather than an object literal with a getter: a
 * literal's getter is a fresh closure per call that V8 keeps in the object's
 * hidden class, and that kept every file the explorer forked alive through
 * young-generation collections (40% of the explorer's time went to GC).
 * `ignorePins`: the seeded bug merge-without-refcount-check (the plan sees no pins).
 */
class FileBlockFacts implements BlockFacts {
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

  constructor(
    private readonly f: GmemFile,
    private readonly b: number,
    private readonly ignorePins: boolean,
  ) {
    const block = f.block(b);
    this.block = block;
    this.base = b * f.blockPages;
    this.n = f.blockPages;
    this.index = b;
    this.file = f.geometry.hugetlb ? block.folio.file : f.isAllocated(this.base) ? 'split' : 'none';
    this.totalPins = ignorePins ? 0 : block.totalPins;
    this.totalRetiredPins = block.totalRetiredPins;
    this.noHugePage = f.geometry.hugetlb && f.reservation === 0 && f.pool.unreserved <= 0;
    // An armed split failure waits for the split of a huge folio: a file without HugeTLB has none (found by gmem explore).
    this.splitArmed = f.splitArmed && f.geometry.hugetlb;
    this.filePinned = f.currentPins > 0;
    this.profile = planProfileOf(f.settings.variant);
  }

  pageState(i: number): ReturnType<BlockFacts['pageState']> {
    return STATE_OF_CODE[this.f.pages.get(this.base + i)]!;
  }

  get sharedPages(): number {
    return (this.shared ??= this.f.sharedPagesOf(this.b));
  }

  sharedPagesIn(from: number, to: number): number {
    return this.f.sharedIn(this.base + from, this.base + Math.min(to, this.n));
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

/** The first refusal of the table over the runs of [from, to) (but the page `skip`), in page order. */
function firstRefusal(map: RunMap<number>, table: PageTable, from: number, to: number, skip: number | undefined): Refusal | undefined {
  if (from >= to) return undefined;
  for (const run of map.runs(from, to)) {
    const refusal = table.refusal[run.value];
    if (!refusal) continue;
    if (skip !== undefined && run.from === skip && run.to === skip + 1) continue;
    return refusal;
  }
  return undefined;
}

/** Every run of [from, to) (but the page `skip`) to the table's next state: one memoised machine answer per run. */
function applyTable(map: RunMap<number>, table: PageTable, from: number, to: number, skip: number | undefined, onChange?: (from: number, to: number, old: number, next: number) => void): void {
  const next = (code: number) => table.next[code]!;
  if (skip === undefined || skip < from || skip >= to) {
    if (from < to) map.update(from, to, next, onChange);
    return;
  }
  if (from < skip) map.update(from, skip, next, onChange);
  if (skip + 1 < to) map.update(skip + 1, to, next, onChange);
}

function decrement(map: Map<number, number>, key: number): void {
  const n = (map.get(key) ?? 0) - 1;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
