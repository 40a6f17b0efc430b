/**
 * Per block, the folio machine's two labels and the arena objects they
 * stand for: the folio the file holds, the folios waiting in the allocator
 * wrapper, the pins on each, whether a huge stage-2 mapping covers the block;
 * and, over the whole file, the pin stack and the blocks that may no longer
 * map huge. A block has a record only once an operation ran on it, so a file
 * of 2^25 blocks costs nothing until touched.
 */
import BTree from 'sorted-btree';
import type { FolioMeta } from '../arena/pool';
import { InputError } from '../input-error';
import type { StepChanges } from './step-changes';
import type { FolioState } from './machine-steppers';

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

/** How many blocks a file's operations may touch (each gets a record): a valid trace beyond it is refused, not run out of memory. */
export const MAX_TOUCHED_BLOCKS = 1 << 18;

/** What a block holds before any operation ran on it (shared, never written to). */
export const UNTOUCHED_BLOCK: BlockRecord = Object.freeze({
  folio: Object.freeze({ file: 'none', wrapper: 'empty' }) as FolioState,
  retired: Object.freeze([]) as unknown as FolioMeta[],
  guestHuge: false,
  pins: new Map<number, number>(),
  retiredPins: new Map<number, number>(),
  totalPins: 0,
  totalRetiredPins: 0,
});

/** The blocks' state; a snapshot shares the live records, the FolioTable made from it copies them. */
export interface FolioTableSnapshot {
  /** the records of blocks an operation ever ran on, by index (sorted). */
  readonly records: BTree<number, BlockRecord>;
  /** tdx-huge-v3 under tdx: blocks that had a private 4k mapping or a split leaf, so they never map huge again. */
  readonly noPromote: ReadonlySet<number>;
  /** every pin, oldest first (unpin takes the newest pin of a page). */
  readonly pinStack: ReadonlyArray<PinRecord>;
}

/** Gives the copy of a folio, the same copy each time it is asked for the same folio (so what shares a folio here shares its copy there). */
export type CopyOfFolio = (folio: FolioMeta) => FolioMeta;

export class FolioTable {
  /** The fields no snapshot carries, and why (test/snapshot-fields.test.ts holds every other field to the snapshot). */
  static readonly NOT_IN_SNAPSHOT = {
    blocks: 'a view of records',
    heldFolios: 'counted from the records as they are copied',
    currentPins: 'counted from the records as they are copied',
    nBlocks: "the file's geometry",
    changes: "the file's record of what a step changed, not state",
  };

  readonly records: BTree<number, BlockRecord>;
  readonly noPromote: Set<number>;
  readonly pinStack: PinRecord[];
  /** every block by index, as `blocks[b]`: its record, or the untouched block's (read-only view for readers and reports). */
  readonly blocks: { readonly [b: number]: BlockRecord };
  /** blocks whose record holds a folio (INV-11's count, kept as records change). */
  heldFolios = 0;
  /** pins on folios the file holds, over every block (a plan's filePinned). */
  currentPins = 0;

  static initial(): FolioTableSnapshot {
    return { records: new BTree<number, BlockRecord>(undefined, (a, b) => a - b), noPromote: new Set(), pinStack: [] };
  }

  /** The blocks as `state` describes them: every record and pin copied, each folio replaced by `copyOfFolio`'s copy. */
  constructor(
    state: FolioTableSnapshot,
    private readonly nBlocks: number,
    private readonly changes: StepChanges,
    copyOfFolio: CopyOfFolio,
  ) {
    const copyMap = (m: Map<number, number>) => (m.size ? new Map(m) : new Map<number, number>());
    // mapValues builds the copy in the tree's own shape: a fraction of the cost of inserting record by record.
    const records = state.records.mapValues((r): BlockRecord => {
      if (r.meta) this.heldFolios++;
      this.currentPins += r.totalPins;
      const copy: BlockRecord = {
        folio: { file: r.folio.file, wrapper: r.folio.wrapper },
        retired: r.retired.length ? r.retired.map(copyOfFolio) : [],
        guestHuge: r.guestHuge,
        pins: copyMap(r.pins),
        retiredPins: copyMap(r.retiredPins),
        totalPins: r.totalPins,
        totalRetiredPins: r.totalRetiredPins,
      };
      if (r.meta) copy.meta = copyOfFolio(r.meta);
      return copy;
    });
    this.records = records;
    this.noPromote = new Set();
    if (state.noPromote.size) for (const b of state.noPromote) this.noPromote.add(b);
    this.pinStack = state.pinStack.map((pin) => ({ ...pin, folio: copyOfFolio(pin.folio) }));
    this.blocks = new Proxy(Object.create(null) as { [b: number]: BlockRecord }, {
      get: (_, key) => (typeof key === 'string' && /^\d+$/.test(key) && Number(key) < this.nBlocks ? (records.get(Number(key)) ?? UNTOUCHED_BLOCK) : undefined),
    });
  }

  snapshot(): FolioTableSnapshot {
    return { records: this.records, noPromote: this.noPromote, pinStack: this.pinStack };
  }

  /** The block's record, or the untouched block's (read only). */
  block(b: number): BlockRecord {
    return this.records.get(b) ?? UNTOUCHED_BLOCK;
  }

  /** The block's record, made on first use: an operation is about to change it. */
  ensure(b: number): BlockRecord {
    let record = this.records.get(b);
    if (!record) {
      // A record costs a few hundred bytes: past this many touched blocks the process would run out of memory.
      if (this.records.size >= MAX_TOUCHED_BLOCKS) {
        throw new InputError(`the file's operations touch more than ${MAX_TOUCHED_BLOCKS.toLocaleString('en')} blocks (block ${b} of ${this.nBlocks.toLocaleString('en')}): the model keeps a record per touched block and refuses beyond that`);
      }
      record = { folio: { file: 'none', wrapper: 'empty' }, retired: [], guestHuge: false, pins: new Map(), retiredPins: new Map(), totalPins: 0, totalRetiredPins: 0 };
      this.records.set(b, record);
    }
    return record;
  }

  /** The block's record for a change to it (its huge guest mapping, its folio): the step's changes note the block. */
  recordFor(b: number): BlockRecord {
    this.changes.blocks.add(b);
    return this.ensure(b);
  }

  /** The file starts or stops holding the block's folio (INV-11's running count follows). */
  setMeta(b: number, block: BlockRecord, meta: FolioMeta | undefined): void {
    if (!block.meta && meta) this.heldFolios++;
    if (block.meta && !meta) this.heldFolios--;
    block.meta = meta;
    this.changes.blocks.add(b);
  }

  /** A pin on the folio the file holds at page p of block b. */
  pin(block: BlockRecord, p: number): void {
    block.pins.set(p, (block.pins.get(p) ?? 0) + 1);
    block.totalPins++;
    this.currentPins++;
  }

  /** A pin on the folio the file holds at page p of the block goes. */
  unpin(block: BlockRecord, p: number): void {
    decrement(block.pins, p);
    block.totalPins--;
    this.currentPins--;
  }

  /** A pin on a folio that left the file, at page p of the block, goes. */
  unpinRetired(block: BlockRecord, p: number): void {
    decrement(block.retiredPins, p);
    block.totalRetiredPins--;
  }

  /** The block's folio `meta` leaves the file: its pins follow it (the pin records and the block's counts), each pinned page told to `changed`. */
  retirePins(block: BlockRecord, meta: FolioMeta | undefined, changed: (page: number) => void): void {
    for (const pin of this.pinStack) if (pin.folio === meta) pin.retired = true;
    for (const [p, n] of block.pins) {
      block.retiredPins.set(p, (block.retiredPins.get(p) ?? 0) + n);
      changed(p);
    }
    block.totalRetiredPins += block.totalPins;
    this.currentPins -= block.totalPins;
    block.pins.clear();
    block.totalPins = 0;
  }

  /** Folios waiting in the allocator wrapper, over every block. */
  get pendingMerge(): number {
    let n = 0;
    this.records.forEach((b) => {
      n += b.retired.length;
    });
    return n;
  }

  /** restore=inode-held keeps blocks with the evicted inode: some block is held by it. */
  get inodeHeld(): boolean {
    let held = false;
    this.records.forEach((b) => {
      if (b.folio.file === 'heldByInode') held = true;
    });
    return held;
  }
}

function decrement(map: Map<number, number>, key: number): void {
  const n = (map.get(key) ?? 0) - 1;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
