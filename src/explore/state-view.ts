/**
 * What a counterexample shows of a simulator's state: the blocks as
 * `drawBlock` draws them (machines/block.picture.ts) and the named, typed
 * values of the ITF trace (itf.ts). Read through the file's public surface;
 * nothing here decides what a state is (state-codec.ts does).
 */
import type { BlockView } from '../../machines/block.plan';
import type { Simulator } from '../interpreter/simulator';
import { STATE_OF_CODE } from '../interpreter/machine-steppers';

/** One block as `drawBlock` wants it, for counterexample pictures. */
export function blockViews(sim: Simulator): Array<BlockView & { open: boolean }> {
  const file = sim.file;
  if (!file) return [];
  return Array.from({ length: file.nBlocks }, (_, b) => {
    const block = file.blocks[b]!;
    const base = b * file.blockPages;
    const range = (m: ReadonlyMap<number, number>) => Array.from({ length: file.blockPages }, (_, i) => m.get(base + i) ?? 0);
    return {
      pages: Array.from({ length: file.blockPages }, (_, i) => STATE_OF_CODE[file.pages.get(base + i)]!),
      file: file.geometry.hugetlb ? block.folio.file : block.meta ? 'split' : 'none',
      wrapper: block.folio.wrapper,
      pins: range(block.pins),
      retiredPins: range(block.retiredPins),
      available: 0,
      splitArmed: file.splitArmed,
      open: file.fdOpen,
    };
  });
}

/** What the ITF trace shows of a state: named, typed values (see itf.ts). */
export interface StateVars {
  open: boolean;
  /** processes mapping the file (each mapping holds a reference). */
  mappers: number[];
  bound: boolean;
  released: boolean;
  shareability: string[];
  pageState: string[];
  folio: string[];
  guestMapping: string[];
  hostMapped: number[][];
  pins: Array<{ page: number; process: number; retired: boolean }>;
  bytes: number[];
  free: number;
  rsvd: number;
  allocatedBytes: number;
  pendingMerge: number;
  splitArmed: boolean;
}

export function stateVars(sim: Simulator): StateVars | undefined {
  const file = sim.file;
  if (!file) return undefined;
  const pages = Array.from({ length: file.nPages }, (_, p) => p);
  const bytes = pages.map((p) => {
    const b = Buffer.alloc(1);
    // What the guest reads there: a shared page of the memslot's memory where the tree keeps it outside the file (mainline-6.12).
    if (file.slotMemory && file.shareability(p) === 'shared') {
      file.slotMemory.read(p, 0, b, 0, 1);
      return b[0]!;
    }
    const pfn = file.pfn(p);
    if (pfn === undefined) return 0;
    sim.memory.read(pfn, 0, b, 0, 1);
    return b[0]!;
  });
  return {
    open: file.fdOpen,
    mappers: [...file.lifetime.mappers].sort(),
    bound: file.bound,
    released: file.released,
    shareability: pages.map((p) => file.shareability(p)),
    pageState: pages.map((p) => STATE_OF_CODE[file.pages.get(p)]!),
    folio: Array.from({ length: file.nBlocks }, (_, b) => file.blocks[b]!.folio.file),
    guestMapping: pages.map((p) => (file.blocks[Math.floor(p / file.blockPages)]!.guestHuge ? 'huge' : file.guest4k.has(p) ? '4k' : 'none')),
    hostMapped: pages.map((p) => [...file.hostMaps].filter(([, s]) => s.has(p)).map(([q]) => q).sort()),
    pins: file.pinStack.map((r) => ({ page: r.page, process: r.process, retired: r.retired })),
    bytes,
    free: sim.pool.free,
    rsvd: sim.pool.rsvd,
    allocatedBytes: file.allocatedBytes,
    pendingMerge: file.pendingMerge,
    splitArmed: file.splitArmed,
  };
}
