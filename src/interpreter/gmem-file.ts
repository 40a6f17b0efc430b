/**
 * One guest_memfd file over the arena, put together from parts that each
 * hold one concern of its state: the per-page runs (page-store.ts), the
 * blocks' folio records and pins (folio-table.ts), what it draws from the
 * HugeTLB pool (pool-account.ts), who still holds it (lifetime.ts); plans
 * run on it through plan-runner.ts, and what a step changed is told to
 * step-changes.ts. The file's state is its snapshot: a copy of the file is
 * a file made from the snapshot, and the explorer's codec reads and writes
 * states through snapshots too.
 */
import type { BlockFacts, BlockOp, PlanStep } from '../../machines/block.plan';
import type { Refusal } from '../../machines/outcome';
import type { Shareability } from '../../machines/policy';
import { PhysicalMemory } from '../arena/memory';
import type { MemorySnapshot } from '../arena/memory';
import type { HugePool } from '../arena/pool';
import type { FileGeometry, FileParts, FileSettings } from './file-parts';
import type { BlockRecord, CopyOfFolio, FolioTableSnapshot, PinRecord } from './folio-table';
import { FolioTable } from './folio-table';
import { Lifetime } from './lifetime';
import type { LifetimeSnapshot } from './lifetime';
import { PageStore } from './page-store';
import type { PageStoreSnapshot } from './page-store';
import type { PageSet } from './page-set';
import { PlanRunner } from './plan-runner';
import { PoolAccount } from './pool-account';
import type { PoolAccountSnapshot } from './pool-account';
import type { RunMap } from './run-map';
import type { ContentBreak } from './step-changes';
import { StepChanges } from './step-changes';
import { PAGE_CODE } from './machine-steppers';

export type { FileGeometry, FileSettings } from './file-parts';
export type { BlockRecord, PinRecord } from './folio-table';
export { MAX_TOUCHED_BLOCKS } from './folio-table';

/** The file's state; a snapshot shares the parts' live structures, the file made from it copies them. */
export interface GmemFileSnapshot {
  readonly geometry: FileGeometry;
  readonly settings: FileSettings;
  readonly splitArmed: boolean;
  readonly store: PageStoreSnapshot;
  readonly folios: FolioTableSnapshot;
  readonly account: PoolAccountSnapshot;
  readonly lifetime: LifetimeSnapshot;
  /**
   * profile.sharedMemory 'memslot' (S-ML612, DOMAIN 7.4): the memslot's
   * userspace memory, where a guest's shared accesses land, by page of the
   * file (frame p is page p): zero until written, apart from the file's
   * folios, untouched by conversions, punches and the file's release.
   * Undefined where shared pages are the file's own folios.
   */
  readonly slotMemory: MemorySnapshot | undefined;
}

export class GmemFile implements FileParts {
  /** The fields no snapshot carries, and why (test/snapshot-fields.test.ts holds every other field to the snapshot). */
  static readonly NOT_IN_SNAPSHOT = {
    pool: "the simulator's: its snapshot carries it",
    memory: "the simulator's: its snapshot carries it",
    nPages: 'the geometry',
    nBlocks: 'the geometry',
    initialCode: 'the geometry',
    changes: 'per-step scratch: what the current step changed, emptied by the invariant checks',
    contentBreaks: 'per-step scratch: INV-9 breaks seen in the current step, emptied before each step',
    plans: 'the machines for the geometry and settings',
    checkMemory: "the invariant checks' own record of what they found at the last check (src/invariants), not state",
  };

  readonly geometry: FileGeometry;
  readonly settings: FileSettings;
  readonly nPages: number;
  readonly nBlocks: number;
  readonly initialCode: number;
  readonly changes = new StepChanges();
  contentBreaks: ContentBreak[] = [];
  /**
   * Kept for the incremental invariant check (src/invariants, which alone
   * reads it): the violations standing at the last check. A field, not a
   * WeakMap keyed by file: the explorer makes a file per transition, and
   * that many short-lived WeakMap keys cost more collection than the check.
   */
  checkMemory: unknown = undefined;
  readonly store: PageStore;
  readonly folios: FolioTable;
  readonly account: PoolAccount;
  readonly lifetime: Lifetime;
  splitArmed: boolean;
  readonly slotMemory: PhysicalMemory | undefined;
  readonly plans: PlanRunner;

  /** The state of a file as KVM_CREATE_GUEST_MEMFD makes it, over the simulator's pool. */
  static initial(geometry: FileGeometry, settings: FileSettings, pool: HugePool): GmemFileSnapshot {
    const nPages = geometry.size / geometry.pageSize;
    return {
      geometry,
      settings,
      splitArmed: false,
      store: PageStore.initial(nPages, initialCodeOf(geometry)),
      folios: FolioTable.initial(),
      account: PoolAccount.initial(geometry.hugetlb, pool),
      lifetime: Lifetime.initial(),
      slotMemory: settings.profile.sharedMemory === 'memslot' ? new PhysicalMemory(geometry.pageSize).snapshot() : undefined,
    };
  }

  /**
   * The file `state` describes, over `pool` and `memory`: every part copied
   * (per-page runs copy-on-write), `copyOfFolio` giving each folio's copy so
   * what shares a folio in the state shares its copy here. Nothing has
   * changed yet in the step.
   */
  constructor(
    state: GmemFileSnapshot,
    readonly pool: HugePool,
    readonly memory: PhysicalMemory,
    copyOfFolio: CopyOfFolio,
  ) {
    const { geometry, settings } = state;
    this.geometry = geometry;
    this.settings = settings;
    this.nPages = geometry.size / geometry.pageSize;
    this.nBlocks = this.nPages / geometry.blockPages;
    this.initialCode = initialCodeOf(geometry);
    this.store = new PageStore(state.store, this.changes);
    this.folios = new FolioTable(state.folios, this.nBlocks, this.changes, copyOfFolio);
    this.account = new PoolAccount(state.account, pool, this.nBlocks, settings.profile.stBlocks);
    this.lifetime = new Lifetime(state.lifetime);
    this.splitArmed = state.splitArmed;
    this.slotMemory = state.slotMemory && PhysicalMemory.fromSnapshot(state.slotMemory);
    this.plans = new PlanRunner(this);
  }

  snapshot(): GmemFileSnapshot {
    return {
      geometry: this.geometry,
      settings: this.settings,
      splitArmed: this.splitArmed,
      store: this.store.snapshot(),
      folios: this.folios.snapshot(),
      account: this.account.snapshot(),
      lifetime: this.lifetime.snapshot(),
      slotMemory: this.slotMemory?.snapshot(),
    };
  }

  /** An independent copy of the file over `pool` and `memory` (the explorer forks a state per step it tries, src/explore/expand.ts). */
  clone(pool: HugePool, memory: PhysicalMemory, copyOfFolio: CopyOfFolio): GmemFile {
    return new GmemFile(this.snapshot(), pool, memory, copyOfFolio);
  }

  // ---- the parts' state, as the file's readers see it ---------------------

  get pageSize(): number {
    return this.geometry.pageSize;
  }
  get blockPages(): number {
    return this.geometry.blockPages;
  }
  /** range machine state per page, as its index in RANGE_STATES, kept as runs. */
  get pages(): RunMap<number> {
    return this.store.pages;
  }
  get guest4k(): PageSet {
    return this.store.guest4k;
  }
  get hostMaps(): ReadonlyMap<number, PageSet> {
    return this.store.hostMaps;
  }
  /** the records of blocks an operation ever ran on, by index (sorted). */
  get records(): FolioTable['records'] {
    return this.folios.records;
  }
  /** every block by index, as `blocks[b]`: its record, or the untouched block's. */
  get blocks(): { readonly [b: number]: BlockRecord } {
    return this.folios.blocks;
  }
  get pinStack(): ReadonlyArray<PinRecord> {
    return this.folios.pinStack;
  }
  get heldFolios(): number {
    return this.folios.heldFolios;
  }
  get allocatedBytes(): number {
    return this.account.allocatedBytes;
  }
  get fdOpen(): boolean {
    return this.lifetime.fdOpen;
  }
  get bound(): boolean {
    return this.lifetime.bound;
  }
  get released(): boolean {
    return this.lifetime.released;
  }
  get closed(): boolean {
    return this.lifetime.closed;
  }
  /** the inode lives: a reference is left, or (restore=inode-held) it holds split blocks. */
  get inodeAlive(): boolean {
    return !this.lifetime.released || this.folios.inodeHeld;
  }
  get pendingMerge(): number {
    return this.folios.pendingMerge;
  }

  /** The block's record, or the untouched block's (read only). */
  block(b: number): BlockRecord {
    return this.folios.block(b);
  }
  /** The page's range-machine state, as its code. */
  code(page: number): number {
    return this.store.pages.get(page);
  }
  shareability(page: number): Shareability {
    return this.store.shareability(page);
  }
  isAllocated(page: number): boolean {
    return this.store.isAllocated(page);
  }
  /** the folio holding a page is huge. */
  isHuge(page: number): boolean {
    return this.geometry.hugetlb && this.folios.block(Math.floor(page / this.geometry.blockPages)).folio.file === 'huge';
  }
  /** the page frame backing a page, while the file holds its folio. */
  pfn(page: number): number | undefined {
    const meta = this.folios.records.get(Math.floor(page / this.geometry.blockPages))?.meta;
    return meta ? meta.head + (page % this.geometry.blockPages) : undefined;
  }
  /** the order of the folio holding a page, or null while unallocated. */
  folioOrder(page: number): number | null {
    if (!this.isAllocated(page)) return null;
    return this.block(Math.floor(page / this.blockPages)).folio.file === 'huge' ? Math.log2(this.blockPages) : 0;
  }
  /** Shared pages of block b. */
  sharedPagesOf(b: number): number {
    return this.store.sharedIn(b * this.blockPages, (b + 1) * this.blockPages);
  }

  // ---- running plans (plan-runner.ts) -------------------------------------

  facts(b: number): BlockFacts {
    return this.plans.facts(b);
  }
  /** Plans an operation on block b and runs it; the first refusal stops it. */
  runOp(b: number, op: BlockOp): Refusal | undefined {
    return this.plans.runOp(b, op);
  }
  runPlan(b: number, plan: ReadonlyArray<PlanStep>): Refusal | undefined {
    return this.plans.runPlan(b, plan);
  }
  /** The refusal an operation would meet, without changing anything. */
  probe(b: number, op: BlockOp): Refusal | undefined {
    return this.plans.probe(b, op);
  }
  /** Runs an operation on every block in order, as the kernel walks the whole file (eviction, the merge worker). */
  forEveryBlock(op: BlockOp, each: (b: number, refusal: Refusal | undefined) => void): void {
    this.plans.forEveryBlock(op, each);
  }
}

/** The range-machine state every page of the file starts in, as its code. */
function initialCodeOf(geometry: FileGeometry): number {
  return PAGE_CODE[geometry.initShared ? 'faultable.unallocated' : 'unfaultable.unallocated'];
}
