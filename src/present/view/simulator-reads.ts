/**
 * Everything the viewer, the inspector's replay and the spec's probes read
 * from the simulator, in one place. They never touch GmemFile or Simulator
 * fields themselves: they ask this module, so a change of the interpreter's representation (page states
 * as interval maps instead of one byte per page, say) is adapted here and
 * nowhere else.
 *
 * The one bulk read is `rangeCodes`: every page's range state as its index in
 * RANGE_STATES, one byte per page, because drawing a 16 x 1 GiB file as runs
 * and finding which pages changed is a native byte comparison over 4 MiB. The
 * interpreter keeps the states as runs (RunMap), so the array is filled from
 * them, one fill per run.
 */
import type { GmemFile } from '../../interpreter/gmem-file';
import type { SimConfig, StepOutcome } from '../../interpreter/simulator';
import { Simulator } from '../../interpreter/simulator';
import type { InvalidInput } from '../../trace/replay';
import { runStep } from '../../trace/replay';
import type { TraceStep } from '../../trace/schema';

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
  };
}

/** The page states kept as runs (RunMap), spread one byte per page into a fresh array: a fill per run. */
function fillCodes(file: GmemFile, into: Uint8Array): Uint8Array {
  for (const run of file.pages.runs()) into.fill(run.value, run.from, run.to);
  return into;
}

/** A simulator run as the viewer drives it: a step at a time, read between steps. */
export interface SimulatorReads {
  /** the file after the last step, or undefined before `create` succeeded. */
  file(): FileReads | undefined;
  pool(): { free: number; rsvd: number };
  step(step: TraceStep): { outcome: StepOutcome | undefined; mismatch: boolean; violations: Array<{ invariant: string; where: string; detail: string }>; invalid?: InvalidInput };
}

export function simulate(config: SimConfig): SimulatorReads {
  const sim = new Simulator(config);
  // The page states spread one byte per page, filled from the runs at most once between two steps.
  let codes: Uint8Array | undefined;
  const codesNow = () => (codes ??= fillCodes(sim.file!, new Uint8Array(sim.file!.nPages)));
  return {
    file: () => (sim.file ? fileReads(sim.file, codesNow) : undefined),
    pool: () => ({ free: sim.pool.free, rsvd: sim.pool.rsvd }),
    step: (step) => {
      codes = undefined;
      const r = runStep(sim, step);
      return { outcome: r.outcome, mismatch: Boolean(r.mismatch), violations: r.violations, ...(r.invalid ? { invalid: r.invalid } : {}) };
    },
  };
}
