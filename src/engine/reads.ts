/**
 * Everything the check step, the viewer, the inspector's replay and the
 * spec's probes read from the simulator, in one place. They never touch
 * GmemFile or Simulator fields themselves: they ask this module, so a change of the interpreter's representation (page states
 * as interval maps instead of one byte per page, say) is adapted here and
 * nowhere else.
 *
 * The one bulk read is `rangeCodes`: every page's range state as its index in
 * RANGE_STATES, one byte per page, because drawing a 16 x 1 GiB file as runs
 * and finding which pages changed is a native byte comparison over 4 MiB. The
 * interpreter keeps the states as runs (RunMap), so the array is filled from
 * them, one fill per run.
 */
import type { BlockView } from '../../machines/block.plan';
import type { GmemFile } from '../interpreter/gmem-file';
import type { Simulator } from '../interpreter/simulator';

export interface BlockReads {
  /** the folio machine's state of the block: its file and wrapper regions. */
  folio: { file: string; wrapper: string };
  /** a huge stage-2 mapping covers the block. */
  guestHuge: boolean;
  /** pins held in the file, by file page. */
  pins: ReadonlyMap<number, number>;
  totalPins: number;
}

export interface FileReads {
  nPages: number;
  nBlocks: number;
  pageSize: number;
  /** pages per block (1 without HugeTLB). */
  blockPages: number;
  hugetlb: boolean;
  /** the fd is open. */
  fdOpen: boolean;
  /** the inode lives (a reference is left, or it holds split blocks). */
  inodeAlive: boolean;
  allocatedBytes: number;
  pendingMerge: number;
  /** block b (a 4K-page file has one per page). */
  block(b: number): BlockReads;
  /** every block's folio state, in block order (HugeTLB files; empty otherwise). */
  folioStates(): Array<{ file: string; wrapper: string }>;
  /** every block's pin count, in block order. */
  pinsByBlock(): number[];
  /** every pinned file page with its pin count. */
  pinnedPages(): Iterable<[number, number]>;
  /** every pin a process holds, on a folio in the file or one that left it. */
  pinsHeld: number;
  /** every page's range state as its index in RANGE_STATES; read-only, valid until the next step. */
  rangeCodes(): Uint8Array;
  /** copies rangeCodes() into `into` (of nPages bytes). */
  copyRangeCodes(into: Uint8Array): void;
  /** file pages some process maps (each page once per process that maps it). */
  hostMappedPages(): Iterable<number>;
  /** file pages the guest maps with 4K stage-2 leaves. */
  guest4kPages(): Iterable<number>;
  shareability(page: number): 'shared' | 'private';
  isAllocated(page: number): boolean;
  folioOrder(page: number): number | null;
  hostMapped(page: number): boolean;
  guestMapping(page: number): 'huge' | '4k' | 'none';
  /**
   * block b as the block machine sees it (machines/block.plan.ts), for
   * drawing it as the tests draw the machine; `open` as the machine's inode
   * region means it: the fd is open (machines/block.machine.ts blockViewOf).
   */
  blockView(b: number): BlockView & { open: boolean };
}

/** `codes`: the page states one byte per page, filled once per step by the caller (simulate). */
function fileReads(file: GmemFile, codes: () => Uint8Array): FileReads {
  return {
    nPages: file.nPages,
    nBlocks: file.nBlocks,
    pageSize: file.pageSize,
    blockPages: file.blockPages,
    hugetlb: file.geometry.hugetlb,
    fdOpen: file.fdOpen,
    inodeAlive: file.inodeAlive,
    allocatedBytes: file.allocatedBytes,
    pendingMerge: file.pendingMerge,
    block: (b) => {
      const r = file.blocks[b]!;
      return { folio: { file: r.folio.file, wrapper: r.folio.wrapper }, guestHuge: r.guestHuge, pins: r.pins, totalPins: r.totalPins };
    },
    folioStates: () => (file.geometry.hugetlb ? Array.from({ length: file.nBlocks }, (_, b) => ({ file: file.block(b).folio.file, wrapper: file.block(b).folio.wrapper })) : []),
    pinsByBlock: () => Array.from({ length: file.nBlocks }, (_, b) => file.block(b).totalPins),
    *pinnedPages() {
      // Only touched blocks have records; an untouched block holds no pins.
      for (const b of file.records.valuesArray()) yield* b.pins;
    },
    pinsHeld: file.pinStack.length,
    rangeCodes: codes,
    copyRangeCodes: (into) => into.set(codes()),
    *hostMappedPages() {
      for (const set of file.hostMaps.values()) yield* set;
    },
    guest4kPages: () => file.guest4k,
    shareability: (p) => file.shareability(p),
    isAllocated: (p) => file.isAllocated(p),
    folioOrder: (p) => file.folioOrder(p),
    hostMapped: (p) => [...file.hostMaps.values()].some((s) => s.has(p)),
    guestMapping: (p) => (file.blocks[Math.floor(p / file.blockPages)]!.guestHuge ? 'huge' : file.guest4k.has(p) ? '4k' : 'none'),
    blockView: (b) => {
      const facts = file.facts(b);
      const pages = [...Array(facts.n).keys()];
      return {
        open: file.fdOpen,
        pages: pages.map((k) => facts.pageState(k)),
        file: facts.file,
        wrapper: file.blocks[b]!.folio.wrapper,
        pins: pages.map((k) => facts.pinsAt(k)),
        retiredPins: pages.map((k) => facts.retiredPinsAt(k)),
        available: 0,
        splitArmed: file.splitArmed,
      } as BlockView & { open: boolean };
    },
  };
}

/** The page states kept as runs (RunMap), spread one byte per page into a fresh array: a fill per run. */
export function fillCodes(file: GmemFile, into: Uint8Array): Uint8Array {
  for (const run of file.pages.runs()) into.fill(run.value, run.from, run.to);
  return into;
}

/** The HugeTLB pool's counters and the file's hugetlb cgroup's (TRACE-FORMAT check `hugetlb`). */
export interface PoolReads {
  free: number;
  rsvd: number;
  cgroupRsvd: number;
  cgroupUsage: number;
}

/** What the simulator shows now. */
export interface Reads {
  /** the file, or undefined before `create` succeeded. */
  file(): FileReads | undefined;
  pool(): PoolReads;
}

/** Reads of a simulator as it is now; the page states are spread into bytes when first asked. */
export function readsOf(sim: Simulator): Reads {
  let codes: Uint8Array | undefined;
  const codesNow = () => (codes ??= fillCodes(sim.file!, new Uint8Array(sim.file!.nPages)));
  return readsWith(sim, codesNow);
}

export function readsWith(sim: Simulator, codes: () => Uint8Array): Reads {
  return {
    file: () => (sim.file ? fileReads(sim.file, codes) : undefined),
    pool: () => ({ free: sim.pool.free, rsvd: sim.pool.rsvd, cgroupRsvd: sim.pool.cgroupRsvd, cgroupUsage: sim.pool.cgroupUsage }),
  };
}
