/**
 * THE ONE FILE THAT KNOWS WHAT A SIMULATOR STATE IS MADE OF. Everything else
 * in src/explore drives the simulator through the trace step runner
 * (src/engine/step.ts `takeStep`) and sees states only as the strings made
 * here. The codec composes the classes' own state descriptions: `encode`
 * reads `Simulator.snapshot()` (the pool's, the file's and its parts'
 * snapshots within), and `materialize` builds such a snapshot from the
 * string and asks `Simulator.fromSnapshot` for the machine. Each class says
 * in one place which of its fields no snapshot carries
 * (NOT_IN_SNAPSHOT; test/snapshot-fields.test.ts holds every other field to
 * the snapshot), and materialize must give every field of every snapshot (the
 * compiler holds it to that), so a field the simulator gains reaches this
 * file. Bytes are read and written through the memory's page API (peek,
 * fill, write).
 *
 * The canonical encoding is a string of 16-bit units holding everything that
 * decides a future outcome or an invariant verdict:
 * - the file: flags, lifetime (fd open, the processes mapping it, memslot
 *   bound, inode released, closed), armed split failure, huge pages charged
 *   to the subpool and whether it lives (the reservation derives from both),
 *   st_blocks;
 * - per page: range-machine state, uptodate, exposed since its folio joined
 *   the file (INV-9), 4K guest mapping, accept pending (in-place tdx), host
 *   mapping per process;
 * - per block: folio-machine labels, huge guest mapping, no-promotion (TDX),
 *   the folio held, the folios waiting in the allocator wrapper (in order),
 *   pin counts;
 * - the pin stack in order (unpin takes the newest pin of a page);
 * - every folio's metadata (order, original order, pins per sub-page,
 *   whether the pool's metadata table still holds it);
 * - the pool: free, rsvd, the cgroup's rsvd and usage (INV-10), and the free stack in order (allocation pops the
 *   page freed last, and that decides which bytes a reused block shows);
 * - the bytes of every page that can still be read or handed out again,
 *   and of every page of the memslot's memory where shared guest accesses
 *   land outside the file (mainline-6.12: GmemFile.slotMemory);
 *
 * Abstracted (and why that is sound for INV-1..14, see README "Explorer"; a step that never returns makes no state):
 * - physical frame numbers are renamed in order of first appearance (no
 *   operation or invariant depends on a frame's number, only on which folio
 *   owns it and what it holds; INV-13 checks alignment, which renaming keeps);
 *   so the pool's never-used pages and the next 4K frame follow from the
 *   renamed ones;
 * - a page's bytes are kept as its byte value when uniform (the explorer
 *   writes whole pages with one value; the kernel zeroes whole pages);
 * - bytes of frames nobody can read again (4K folios that left the file,
 *   pages leaked out of the pool) are dropped;
 * - the arena's "written" bit is dropped: an unwritten page and a written
 *   page of zeroes read, zero and compare alike (the explorer never writes
 *   zeroes);
 * - how many pages a slab of the arena holds (storage only);
 * - what no snapshot carries: per-step scratch (pages exposed by this step,
 *   the failed unit, what the step changed, the content breaks seen in the
 *   step, the pool's return log) is reset by the step runner before every
 *   step, and the running counts (folios held, pins) are counted again from
 *   the blocks.
 */
import BTree from 'sorted-btree';
import type { FolioFileState, FolioWrapperState } from '../../machines/folio.machine';
import { FOLIO_FILE_STATES, FOLIO_WRAPPER_STATES } from '../../machines/folio.machine';
import type { CreateFlag } from '../../machines/variant';
import type { PhysicalMemory } from '../arena/memory';
import type { FolioMeta } from '../arena/pool';
import type { SimConfig } from '../interpreter/config';
import type { BlockRecord, PinRecord } from '../interpreter/folio-table';
import { UNTOUCHED_BLOCK } from '../interpreter/folio-table';
import { PageSet } from '../interpreter/page-set';
import { RunMap } from '../interpreter/run-map';
import { createRefusal, newFileOf } from '../interpreter/ops/create';
import { Simulator } from '../interpreter/simulator';
import type { Relabel, SymmetryGroup } from './symmetry';
import { valueOf } from './symmetry';

const NO_STATE = '';
const FILE_CODES = FOLIO_FILE_STATES.length;
const FILE_CODE = Object.fromEntries(FOLIO_FILE_STATES.map((s, i) => [s, i])) as Record<FolioFileState, number>;
const WRAPPER_CODE = Object.fromEntries(FOLIO_WRAPPER_STATES.map((s, i) => [s, i])) as Record<FolioWrapperState, number>;

export interface CodecSetup {
  config: SimConfig;
  /** file size in bytes (blocks x pages x pageSize). */
  size: number;
  processes: number;
}

/** A fresh simulator with nothing created: the explorer's root. */
export function rootSimulator(setup: CodecSetup): Simulator {
  // Slabs of one huge page: the arena's 64 KiB slabs would make every 16-byte-page state allocate 64 KiB. Storage only; no outcome changes.
  return new Simulator(setup.config, { slabPages: pagesPerHuge(setup.config) });
}

/** Pages per huge page, as the simulator sizes its pool. */
function pagesPerHuge(config: SimConfig): number {
  return Math.max(1, config.hugePageSize / config.pageSize);
}

/**
 * The shape and settings of the file each set of create flags makes, made
 * once per setup: the files materialized from one setup share them, as
 * copies of a file do, and with them the machines' steppers.
 */
const filesOf = new WeakMap<CodecSetup, Map<number, ReturnType<typeof newFileOf>>>();

function fileOf(setup: CodecSetup, flagBits: number, flags: ReadonlyArray<CreateFlag>): ReturnType<typeof newFileOf> {
  let files = filesOf.get(setup);
  if (!files) filesOf.set(setup, (files = new Map()));
  let file = files.get(flagBits);
  if (!file) {
    const refusal = createRefusal(setup.config, setup.size, flags);
    if (refusal) throw new Error(`state-codec: the create that made this state is refused now (${refusal})`);
    files.set(flagBits, (file = newFileOf(setup.config, setup.size, flags)));
  }
  return file;
}

/** Pins currently held (the scope bounds them). */
export function pinsHeld(sim: Simulator): number {
  return sim.file ? sim.file.pinStack.length : 0;
}

export function hasFile(sim: Simulator): boolean {
  return sim.file !== undefined;
}

/**
 * Scratch for encode: one buffer of 16-bit units and the renaming tables,
 * reused (encode runs once per transition). The tables are arrays searched
 * with indexOf: a state holds a handful of folios, where that beats a Map.
 */
const scratch = {
  units: new Uint16Array(4096),
  length: 0,
  /** folios in order of first appearance (a folio's index is its name). */
  folios: [] as FolioMeta[],
  /** huge pages (head / P) and 4K frames (pfn) in order of first appearance. */
  hugePages: [] as number[],
  smallFrames: [] as number[],
  /** the bytes of every page that is not one byte value throughout, page after page. */
  mixedBytes: [] as number[],
  /** process, page set, process, page set, ... */
  hosts: [] as Array<number | PageSet>,
  /** with a relabelling: each process's canonical name (index: process) */
  process: undefined as ReadonlyArray<number> | undefined,
  /** with a relabelling: the nonzero data values in order of first appearance (each is named by its place here). */
  values: undefined as number[] | undefined,
};

/** A process's name in the encoding. */
function processName(q: number): number {
  return scratch.process ? scratch.process[q]! : q;
}

/** A byte's value in the encoding: itself, or with a relabelling, the scope's value of its rank by first appearance (zero stays zero). */
function byteName(v: number): number {
  const order = scratch.values;
  if (!order || v === 0) return v;
  let rank = order.indexOf(v);
  if (rank < 0) rank = order.push(v) - 1;
  return valueOf(rank);
}

function emit(v: number): void {
  if (scratch.length === scratch.units.length) {
    const bigger = new Uint16Array(scratch.units.length * 2);
    bigger.set(scratch.units);
    scratch.units = bigger;
  }
  scratch.units[scratch.length++] = v;
}

function folioName(m: FolioMeta): number {
  let i = scratch.folios.indexOf(m);
  if (i < 0) i = scratch.folios.push(m) - 1;
  return i;
}

/** A frame's new name: huge pages counted from 0, 4K frames from 0x8000, each in order of first appearance. */
function frameName(head: number, smallBase: number, P: number): number {
  if (head >= smallBase) {
    let c = scratch.smallFrames.indexOf(head);
    if (c < 0) c = scratch.smallFrames.push(head) - 1;
    return 0x8000 | c;
  }
  const k = head / P;
  let c = scratch.hugePages.indexOf(k);
  if (c < 0) c = scratch.hugePages.push(k) - 1;
  return c;
}

/** A page's bytes: its byte value when uniform, else 0x100 + its index among the mixed pages. */
function pageContent(memory: PhysicalMemory, pfn: number, ps: number): number {
  const b = memory.peek(pfn);
  if (!b) return 0;
  const v = b[0]!;
  for (let i = 1; i < ps; i++) {
    if (b[i] !== v) {
      for (let j = 0; j < ps; j++) scratch.mixedBytes.push(byteName(b[j]!));
      return 0x100 + scratch.mixedBytes.length / ps - 1;
    }
  }
  return byteName(v);
}

/**
 * The canonical encoding of a simulator's state up to symmetry
 * (src/explore/symmetry.ts): the least encoding over every renaming of the
 * processes, data values renamed in order of first appearance; and the
 * relabelling from the state to it.
 */
export function encodeReduced(sim: Simulator, group: SymmetryGroup, like?: string): { encoding: string; relabel: Relabel } {
  const file = sim.file;
  // Nothing names a process (no mapping, no pin): every renaming gives the same string.
  let named = file !== undefined && (file.lifetime.mappers.size > 0 || file.pinStack.length > 0);
  if (file && !named) for (const pages of file.store.hostMaps.values()) named ||= pages.size > 0;
  const perms = named ? group.processPerms : group.processPerms.slice(0, 1);
  let best: { encoding: string; process: number[]; values: number[] } | undefined;
  for (const perm of perms) {
    const values: number[] = [];
    const encoding = encodeNamed(sim, perm, values, like);
    if (!best || encoding < best.encoding) best = { encoding, process: perm, values };
  }
  const { encoding, process, values } = best!;
  // The values present by first appearance, then the absent ones in order: a bijection of the scope's values.
  const present = values.map((v) => {
    const k = v / 0x11 - 1;
    if (!Number.isInteger(k) || k < 0 || k >= group.values) throw new Error(`state-codec: byte 0x${v.toString(16)} is not a data value of the scope`);
    return k;
  });
  const rest = Array.from({ length: group.values }, (_, k) => k).filter((k) => !present.includes(k));
  const value: number[] = [];
  [...present, ...rest].forEach((k, rank) => (value[k] = rank));
  return { encoding, relabel: { process, value } };
}

function encodeNamed(sim: Simulator, process: ReadonlyArray<number>, values: number[], like?: string): string {
  scratch.process = process;
  scratch.values = values;
  try {
    return encode(sim, like);
  } finally {
    scratch.process = undefined;
    scratch.values = undefined;
  }
}

/**
 * The canonical encoding of a simulator's state (see the file comment).
 * `like`: an encoding the state may have (its parent's): when it does, that
 * very string is returned, so a self-loop makes no string and its hash is
 * already known.
 */
export function encode(sim: Simulator, like?: string): string {
  const state = sim.snapshot();
  const file = state.file;
  if (!file) return NO_STATE;
  const { pool } = state;
  const { store, folios, account, lifetime } = file;
  const P = pool.pagesPerHuge;
  const smallBase = pool.hugePages * P;
  const g = file.geometry;
  const ps = g.pageSize;
  const nPages = g.size / ps;
  const nBlocks = nPages / g.blockPages;
  const blockAt = (b: number): BlockRecord => folios.records.get(b) ?? UNTOUCHED_BLOCK;
  scratch.length = 0;
  scratch.folios.length = 0;
  scratch.hugePages.length = 0;
  scratch.smallFrames.length = 0;
  scratch.mixedBytes.length = 0;
  emit((g.hugetlb ? 1 : 0) | (g.mmap ? 2 : 0) | (g.initShared ? 4 : 0));
  let mappers = 0;
  for (const q of lifetime.mappers) mappers |= 1 << processName(q);
  emit((lifetime.fdOpen ? 1 : 0) | (lifetime.bound ? 2 : 0) | (lifetime.released ? 4 : 0) | (lifetime.closed ? 8 : 0) | (file.splitArmed ? 16 : 0) | (account.subpoolAlive ? 32 : 0));
  emit(mappers);
  emit(account.used);
  emit(account.allocatedBytes / ps);
  emit(pool.free);
  emit(pool.rsvd);
  emit(pool.cgroupRsvd + 0x8000);
  emit(pool.cgroupUsage + 0x8000);

  // Folios in order of first appearance; physical huge pages and 4K frames renamed the same way.
  for (let b = 0; b < nBlocks; b++) {
    const block = blockAt(b);
    if (block.meta) folioName(block.meta);
    for (const r of block.retired) folioName(r);
  }
  for (const pin of folios.pinStack) folioName(pin.folio);
  let loose: FolioMeta[] | undefined;
  for (const m of pool.meta.values()) if (scratch.folios.indexOf(m) < 0) (loose ??= []).push(m);
  if (loose) for (const m of loose.sort((a, b) => a.head - b.head)) folioName(m);

  scratch.hosts.length = 0;
  for (const [process, pages] of store.hostMaps) if (pages.size) scratch.hosts.push(processName(process), pages);
  const hosts = scratch.hosts;
  for (let p = 0; p < nPages; p++) {
    let host = 0;
    for (let h = 0; h < hosts.length; h += 2) if ((hosts[h + 1] as PageSet).has(p)) host |= 1 << (hosts[h] as number);
    emit(store.pages.get(p));
    emit(store.uptodate.get(p) | (store.exposed.get(p) << 1) | (store.guest4k.has(p) ? 4 : 0) | (store.acceptPending.has(p) ? 8 : 0));
    emit(host);
  }
  for (let b = 0; b < nBlocks; b++) {
    const block = blockAt(b);
    emit(FILE_CODE[block.folio.file] + FILE_CODES * WRAPPER_CODE[block.folio.wrapper]);
    emit((block.guestHuge ? 1 : 0) | (folios.noPromote.has(b) ? 2 : 0));
    emit(block.meta ? scratch.folios.indexOf(block.meta) + 1 : 0);
    emit(block.retired.length);
    for (const r of block.retired) emit(scratch.folios.indexOf(r));
    emit(block.totalPins);
    emit(block.totalRetiredPins);
    emitCounts(block.pins);
    emitCounts(block.retiredPins);
  }
  emit(folios.pinStack.length);
  for (const pin of folios.pinStack) {
    emit(pin.page);
    emit(processName(pin.process));
    emit(scratch.folios.indexOf(pin.folio));
    emit(pin.retired ? 1 : 0);
  }
  const named = scratch.folios;
  emit(named.length);
  for (const m of named) {
    emit(frameName(m.head, smallBase, P));
    emit(m.originalOrder);
    emit(m.order);
    emit(pool.meta.get(m.head) === m ? 1 : 0);
    emitCounts(m.pins);
  }
  emit(pool.freeList.length);
  for (const k of pool.freeList) emit(frameName(k * P, smallBase, P));

  // Bytes: every page of every huge page renamed so far (in the file, in the wrapper, free), and the 4K folios the file holds.
  emit(scratch.hugePages.length);
  for (const k of scratch.hugePages) for (let i = 0; i < P; i++) emit(pageContent(sim.memory, k * P + i, ps));
  for (const m of named) {
    if (m.head < smallBase) continue;
    let held = false;
    for (let b = 0; b < nBlocks && !held; b++) held = blockAt(b).meta === m;
    emit(held ? pageContent(sim.memory, m.head, ps) : 0xffff);
  }
  // The memslot's memory, page by page, where the tree keeps shared memory outside the file (the profile decides, so no flag).
  const slotMemory = sim.file!.slotMemory;
  if (slotMemory) for (let p = 0; p < nPages; p++) emit(pageContent(slotMemory, p, ps));
  for (const v of scratch.mixedBytes) emit(v);
  if (like !== undefined && like.length === scratch.length) {
    let i = 0;
    while (i < scratch.length && scratch.units[i] === like.charCodeAt(i)) i++;
    if (i === scratch.length) return like;
  }
  let out = '';
  for (let i = 0; i < scratch.length; i += 4096) out += String.fromCharCode.apply(null, scratch.units.subarray(i, Math.min(scratch.length, i + 4096)) as unknown as number[]);
  return out;
}

function emitCounts(counts: ReadonlyMap<number, number>): void {
  emit(counts.size);
  if (counts.size === 1) {
    for (const [k, v] of counts) {
      emit(k);
      emit(v);
    }
    return;
  }
  for (const k of [...counts.keys()].sort((a, b) => a - b)) {
    emit(k);
    emit(counts.get(k)!);
  }
}

/** A live simulator in exactly the state `encoding` describes (the inverse of encode, up to the renaming). */
export function materialize(encoding: string, setup: CodecSetup): Simulator {
  if (encoding === NO_STATE) return rootSimulator(setup);
  let at = 0;
  const next = () => encoding.charCodeAt(at++);
  const flagBits = next();
  const flags: CreateFlag[] = [];
  if (flagBits & 2) flags.push('mmap');
  if (flagBits & 4) flags.push('init-shared');
  if (flagBits & 1) flags.push('hugetlb');
  const { config } = setup;
  const { geometry, settings } = fileOf(setup, flagBits, flags);
  const P = pagesPerHuge(config);
  const smallBase = config.poolHugePages * P;
  const ps = geometry.pageSize;
  const nPages = geometry.size / ps;
  const nBlocks = nPages / geometry.blockPages;

  const life = next();
  const mapperBits = next();
  const mappers = new Set<number>();
  for (let q = 0; q < 16; q++) if (mapperBits & (1 << q)) mappers.add(q);
  const lifetime = { fdOpen: (life & 1) !== 0, mappers, bound: (life & 2) !== 0, released: (life & 4) !== 0, closed: (life & 8) !== 0 };
  const used = next();
  const allocatedBytes = next() * ps;
  const counters = { free: next(), rsvd: next(), cgroupRsvd: next() - 0x8000, cgroupUsage: next() - 0x8000 };

  const store = { pages: new RunMap<number>(nPages, 0), uptodate: new RunMap<number>(nPages, 0), exposed: new RunMap<number>(nPages, 0), guest4k: new PageSet(nPages), acceptPending: new Set<number>(), hostMaps: new Map<number, PageSet>() };
  for (let p = 0; p < nPages; p++) {
    store.pages.set(p, p + 1, next());
    const bits = next();
    store.uptodate.set(p, p + 1, bits & 1);
    store.exposed.set(p, p + 1, (bits >> 1) & 1);
    if (bits & 4) store.guest4k.add(p);
    if (bits & 8) store.acceptPending.add(p);
    const host = next();
    for (let q = 0; q < setup.processes; q++) {
      if (!(host & (1 << q))) continue;
      let pages = store.hostMaps.get(q);
      if (!pages) store.hostMaps.set(q, (pages = new PageSet(nPages)));
      pages.add(p);
    }
  }

  // Blocks refer to folios by index; the folio table comes later in the string, so fill the blocks in once it is read.
  const records = new BTree<number, BlockRecord>(undefined, (a, b) => a - b);
  const noPromote = new Set<number>();
  const blockRefs: Array<{ meta: number; retired: number[] }> = [];
  for (let b = 0; b < nBlocks; b++) {
    // Every block gets a record: the explorer's files are a few blocks, and a record equal to the untouched block's behaves as it.
    const labels = next();
    const mapped = next();
    if (mapped >> 1) noPromote.add(b);
    const metaRef = next();
    const retired: number[] = [];
    for (let n = next(); n > 0; n--) retired.push(next());
    blockRefs.push({ meta: metaRef, retired });
    const record: BlockRecord = {
      folio: { file: FOLIO_FILE_STATES[labels % FILE_CODES] as FolioFileState, wrapper: FOLIO_WRAPPER_STATES[Math.floor(labels / FILE_CODES)] as FolioWrapperState },
      retired: [],
      guestHuge: (mapped & 1) !== 0,
      totalPins: next(),
      totalRetiredPins: next(),
      pins: readCounts(next),
      retiredPins: readCounts(next),
    };
    records.set(b, record);
  }
  const pinRefs: Array<{ page: number; process: number; meta: number; retired: boolean }> = [];
  for (let n = next(); n > 0; n--) pinRefs.push({ page: next(), process: next(), meta: next(), retired: next() === 1 });
  const named: FolioMeta[] = [];
  const poolMeta = new Map<number, FolioMeta>();
  let smallCount = 0;
  for (let n = next(); n > 0; n--) {
    const name = next();
    const head = name & 0x8000 ? smallBase + (name & 0x7fff) : name * P;
    if (name & 0x8000) smallCount = Math.max(smallCount, (name & 0x7fff) + 1);
    const originalOrder = next();
    const order = next();
    const inPool = next() === 1;
    const m: FolioMeta = { head, originalOrder, order, pins: readCounts(next) };
    if (inPool) poolMeta.set(head, m);
    named.push(m);
  }
  for (let b = 0; b < nBlocks; b++) {
    const record = records.get(b)!;
    const ref = blockRefs[b]!;
    if (ref.meta) record.meta = named[ref.meta - 1];
    record.retired = ref.retired.map((i) => named[i]!);
  }
  const pinStack = pinRefs.map((r): PinRecord => ({ page: r.page, process: r.process, folio: named[r.meta]!, retired: r.retired }));
  const freeList: number[] = [];
  for (let n = next(); n > 0; n--) freeList.push(next());

  const hugeCount = next();
  const sim = Simulator.fromSnapshot({
    config,
    memory: { pageSize: ps, slabPages: P, slabs: new Map() },
    // Every huge page ever handed out is in the file, the wrapper or the free list, so renamed 0..hugeCount-1: the rest are fresh.
    pool: { hugePages: config.poolHugePages, pagesPerHuge: P, ...counters, freeList, fresh: hugeCount, meta: poolMeta },
    file: {
      geometry,
      settings,
      splitArmed: (life & 16) !== 0,
      store,
      folios: { records, noPromote, pinStack },
      account: { used, subpoolAlive: (life & 32) !== 0, allocatedBytes, nextSmallPfn: smallBase + smallCount },
      lifetime,
      // The memslot's memory where the tree keeps shared memory outside the file, in slabs of the file's size (storage only).
      slotMemory: settings.profile.sharedMemory === 'memslot' ? { pageSize: ps, slabPages: nPages, slabs: new Map() } : undefined,
    },
  });

  const fills: Array<[number, number]> = [];
  for (let k = 0; k < hugeCount; k++) for (let i = 0; i < P; i++) fills.push([k * P + i, next()]);
  for (const m of named) if (m.head >= smallBase) fills.push([m.head, next()]);
  const slotMemory = sim.file!.slotMemory;
  const slotFills: Array<[number, number]> = [];
  if (slotMemory) for (let p = 0; p < nPages; p++) slotFills.push([p, next()]);
  const mixedStart = at;
  const fill = (memory: PhysicalMemory, list: Array<[number, number]>) => {
    for (const [pfn, v] of list) {
      if (v === 0 || v === 0xffff) continue;
      if (v < 0x100) memory.fill(pfn, 0, v, ps);
      else {
        const from = mixedStart + (v - 0x100) * ps;
        const bytes = Buffer.alloc(ps);
        for (let i = 0; i < ps; i++) bytes[i] = encoding.charCodeAt(from + i);
        memory.write(pfn, 0, bytes, 0, ps);
      }
    }
  };
  fill(sim.memory, fills);
  if (slotMemory) fill(slotMemory, slotFills);
  return sim;
}

function readCounts(next: () => number): Map<number, number> {
  const counts = new Map<number, number>();
  for (let n = next(); n > 0; n--) counts.set(next(), next());
  return counts;
}
