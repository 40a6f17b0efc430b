/**
 * THE ONE FILE THAT KNOWS THE SIMULATOR'S INSIDES. Everything else in
 * src/explore drives the simulator through the trace step runner
 * (src/trace/replay.ts `runStep`) and sees states only as the strings made
 * here. When the simulator's state changes (issue 10 moved the interpreter
 * onto interval maps), this file is what changes: `encode`, `materialize`
 * and KNOWN_FIELDS; and the classes' own `clone` methods, which the search
 * steps (test/explore.clone.test.ts holds every clone to `materialize`, and
 * `assertKnownFields` refuses a field neither knows).
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
 * - a page's bytes are kept as its byte value when uniform (the explorer
 *   writes whole pages with one value; the kernel zeroes whole pages);
 * - bytes of frames nobody can read again (4K folios that left the file,
 *   pages leaked out of the pool) are dropped;
 * - the arena's "written" bit is dropped: an unwritten page and a written
 *   page of zeroes read, zero and compare alike (the explorer never writes
 *   zeroes);
 * - per-step scratch (pages exposed by this step, the failed unit, the
 *   shareability-change summary, the content breaks seen in the step, the
 *   pool's return log) is reset by the step runner before every step, so it
 *   is not state.
 */
import type { FolioFileState, FolioWrapperState } from '../../machines/folio.machine';
import { FOLIO_FILE_STATES, FOLIO_WRAPPER_STATES } from '../../machines/folio.machine';
import type { FolioMeta } from '../arena/pool';
import { PhysicalMemory } from '../arena/memory';
import { noChanges } from '../interpreter/gmem-file';
import type { PinRecord } from '../interpreter/gmem-file';
import type { PageSet } from '../interpreter/page-set';
import type { CreateFlag } from '../../machines/variant';
import type { SimConfig } from '../interpreter/config';
import { Simulator } from '../interpreter/simulator';

/** The fields of the arena objects the codec reads and restores (TypeScript-private there, plain fields at run time). */
interface PoolInside {
  hugePages: number;
  pagesPerHuge: number;
  free: number;
  rsvd: number;
  cgroupRsvd: number;
  cgroupUsage: number;
  freeList: number[];
  /** every huge page from here up was never handed out. */
  fresh: number;
  meta: Map<number, FolioMeta>;
}
interface MemoryInside {
  slabPages: number;
}
interface FileInside {
  nextSmallPfn: number;
}

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
  const sim = new Simulator(setup.config);
  smallSlabs(sim.memory, sim.pool.pagesPerHuge);
  return sim;
}

/** Slabs of one huge page: the arena's 64 KiB slabs would make every 16-byte-page state allocate 64 KiB. Storage only; no outcome changes. */
function smallSlabs(memory: PhysicalMemory, pagesPerHuge: number): void {
  (memory as unknown as MemoryInside).slabPages = Math.max(1, pagesPerHuge);
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
const enc = {
  buf: new Uint16Array(4096),
  n: 0,
  /** folios in order of first appearance (a folio's index is its name). */
  metas: [] as FolioMeta[],
  /** huge pages (head / P) and 4K frames (pfn) in order of first appearance. */
  hugeCanon: [] as number[],
  smallCanon: [] as number[],
  odd: [] as number[],
  /** process, page set, process, page set, ... */
  hosts: [] as Array<number | PageSet>,
};

function put(v: number): void {
  if (enc.n === enc.buf.length) {
    const bigger = new Uint16Array(enc.buf.length * 2);
    bigger.set(enc.buf);
    enc.buf = bigger;
  }
  enc.buf[enc.n++] = v;
}

function metaId(m: FolioMeta): number {
  let i = enc.metas.indexOf(m);
  if (i < 0) i = enc.metas.push(m) - 1;
  return i;
}

function canonOf(head: number, smallBase: number, P: number): number {
  if (head >= smallBase) {
    let c = enc.smallCanon.indexOf(head);
    if (c < 0) c = enc.smallCanon.push(head) - 1;
    return 0x8000 | c;
  }
  const k = head / P;
  let c = enc.hugeCanon.indexOf(k);
  if (c < 0) c = enc.hugeCanon.push(k) - 1;
  return c;
}

function contentOf(memory: PhysicalMemory, pfn: number, ps: number): number {
  const b = memory.peek(pfn);
  if (!b) return 0;
  const v = b[0]!;
  for (let i = 1; i < ps; i++) {
    if (b[i] !== v) {
      for (let j = 0; j < ps; j++) enc.odd.push(b[j]!);
      return 0x100 + enc.odd.length / ps - 1;
    }
  }
  return v;
}

/** The canonical encoding of a simulator's state (see the file comment). */
export function encode(sim: Simulator, _setup?: CodecSetup): string {
  const file = sim.file;
  if (!file) return NO_STATE;
  const pool = sim.pool as unknown as PoolInside;
  const P = pool.pagesPerHuge;
  const smallBase = pool.hugePages * P;
  const g = file.geometry;
  const ps = g.pageSize;
  enc.n = 0;
  enc.metas.length = 0;
  enc.hugeCanon.length = 0;
  enc.smallCanon.length = 0;
  enc.odd.length = 0;
  put((g.hugetlb ? 1 : 0) | (g.mmap ? 2 : 0) | (g.initShared ? 4 : 0));
  let mappers = 0;
  for (const q of file.mappers) mappers |= 1 << q;
  put((file.fdOpen ? 1 : 0) | (file.bound ? 2 : 0) | (file.released ? 4 : 0) | (file.closed ? 8 : 0) | (file.splitArmed ? 16 : 0) | (file.subpoolAlive ? 32 : 0));
  put(mappers);
  put(file.used);
  put(file.allocatedBytes / ps);
  put(pool.free);
  put(pool.rsvd);
  put(pool.cgroupRsvd + 0x8000);
  put(pool.cgroupUsage + 0x8000);

  // Folios in order of first appearance; physical huge pages and 4K frames renamed the same way.
  const blocks = file.blocks;
  for (let b = 0; b < file.nBlocks; b++) {
    const block = blocks[b]!;
    if (block.meta) metaId(block.meta);
    for (const r of block.retired) metaId(r);
  }
  for (const pin of file.pinStack) metaId(pin.folio);
  let loose: FolioMeta[] | undefined;
  for (const m of pool.meta.values()) if (enc.metas.indexOf(m) < 0) (loose ??= []).push(m);
  if (loose) for (const m of loose.sort((a, b) => a.head - b.head)) metaId(m);

  enc.hosts.length = 0;
  for (const [process, pages] of file.hostMaps) if (pages.size) enc.hosts.push(process, pages);
  const hosts = enc.hosts;
  for (let p = 0; p < file.nPages; p++) {
    let host = 0;
    for (let h = 0; h < hosts.length; h += 2) if ((hosts[h + 1] as PageSet).has(p)) host |= 1 << (hosts[h] as number);
    put(file.pages.get(p));
    put(file.uptodate.get(p) | (file.exposed.get(p) << 1) | (file.guest4k.has(p) ? 4 : 0) | (file.acceptPending.has(p) ? 8 : 0));
    put(host);
  }
  for (let b = 0; b < file.nBlocks; b++) {
    const block = blocks[b]!;
    put(FILE_CODE[block.folio.file] + FILE_CODES * WRAPPER_CODE[block.folio.wrapper]);
    put((block.guestHuge ? 1 : 0) | (file.noPromote.has(b) ? 2 : 0));
    put(block.meta ? enc.metas.indexOf(block.meta) + 1 : 0);
    put(block.retired.length);
    for (const r of block.retired) put(enc.metas.indexOf(r));
    put(block.totalPins);
    put(block.totalRetiredPins);
    putCounts(block.pins);
    putCounts(block.retiredPins);
  }
  put(file.pinStack.length);
  for (const pin of file.pinStack) {
    put(pin.page);
    put(pin.process);
    put(enc.metas.indexOf(pin.folio));
    put(pin.retired ? 1 : 0);
  }
  const metas = enc.metas;
  put(metas.length);
  for (const m of metas) {
    put(canonOf(m.head, smallBase, P));
    put(m.originalOrder);
    put(m.order);
    put(pool.meta.get(m.head) === m ? 1 : 0);
    putCounts(m.pins);
  }
  put(pool.freeList.length);
  for (const k of pool.freeList) put(canonOf(k * P, smallBase, P));

  // Bytes: every page of every huge page renamed so far (in the file, in the wrapper, free), and the 4K folios the file holds.
  put(enc.hugeCanon.length);
  for (const k of enc.hugeCanon) for (let i = 0; i < P; i++) put(contentOf(sim.memory, k * P + i, ps));
  for (const m of metas) {
    if (m.head < smallBase) continue;
    let held = false;
    for (let b = 0; b < file.nBlocks && !held; b++) held = blocks[b]!.meta === m;
    put(held ? contentOf(sim.memory, m.head, ps) : 0xffff);
  }
  // The memslot's memory, page by page, where the tree keeps shared memory outside the file (the profile decides, so no flag).
  if (file.slotMemory) for (let p = 0; p < file.nPages; p++) put(contentOf(file.slotMemory, p, ps));
  for (const v of enc.odd) put(v);
  let out = '';
  for (let i = 0; i < enc.n; i += 4096) out += String.fromCharCode.apply(null, enc.buf.subarray(i, Math.min(enc.n, i + 4096)) as unknown as number[]);
  return out;
}

function putCounts(counts: ReadonlyMap<number, number>): void {
  put(counts.size);
  if (counts.size === 1) {
    for (const [k, v] of counts) {
      put(k);
      put(v);
    }
    return;
  }
  for (const k of [...counts.keys()].sort((a, b) => a - b)) {
    put(k);
    put(counts.get(k)!);
  }
}

/** A live simulator in exactly the state `encoding` describes (the inverse of encode, up to the renaming). */
export function materialize(encoding: string, setup: CodecSetup): Simulator {
  const sim = rootSimulator(setup);
  if (encoding === NO_STATE) return sim;
  let at = 0;
  const next = () => encoding.charCodeAt(at++);
  const flagBits = next();
  const flags: CreateFlag[] = [];
  if (flagBits & 2) flags.push('mmap');
  if (flagBits & 4) flags.push('init-shared');
  if (flagBits & 1) flags.push('hugetlb');
  const created = sim.create(setup.size, flags);
  if (created.kind !== 'ok') throw new Error(`state-codec: the create that made this state is refused now (${JSON.stringify(created)})`);
  const file = sim.file!;
  const pool = sim.pool as unknown as PoolInside;
  const P = pool.pagesPerHuge;
  const smallBase = pool.hugePages * P;
  const ps = file.geometry.pageSize;
  const life = next();
  file.fdOpen = (life & 1) !== 0;
  file.bound = (life & 2) !== 0;
  file.released = (life & 4) !== 0;
  file.closed = (life & 8) !== 0;
  file.splitArmed = (life & 16) !== 0;
  file.subpoolAlive = (life & 32) !== 0;
  const mappers = next();
  for (let q = 0; q < 16; q++) if (mappers & (1 << q)) file.mappers.add(q);
  file.used = next();
  file.allocatedBytes = next() * ps;
  pool.free = next();
  pool.rsvd = next();
  pool.cgroupRsvd = next() - 0x8000;
  pool.cgroupUsage = next() - 0x8000;

  for (let p = 0; p < file.nPages; p++) {
    file.pages.set(p, p + 1, next());
    const bits = next();
    file.uptodate.set(p, p + 1, bits & 1);
    file.exposed.set(p, p + 1, (bits >> 1) & 1);
    if (bits & 4) file.guest4k.add(p);
    if (bits & 8) file.acceptPending.add(p);
    const host = next();
    for (let q = 0; q < setup.processes; q++) if (host & (1 << q)) file.hostMap(q).add(p);
  }

  // Blocks refer to folios by index; the folio table comes later in the string, so fill the blocks in once it is read.
  const blockRefs: Array<{ meta: number; retired: number[] }> = [];
  for (let b = 0; b < file.nBlocks; b++) {
    // Every block gets a record: the explorer's files are a few blocks, and a record equal to the untouched block's behaves as it.
    const block = file.recordFor(b);
    const labels = next();
    block.folio = { file: FOLIO_FILE_STATES[labels % FILE_CODES] as FolioFileState, wrapper: FOLIO_WRAPPER_STATES[Math.floor(labels / FILE_CODES)] as FolioWrapperState };
    const mapped = next();
    block.guestHuge = (mapped & 1) !== 0;
    if (mapped >> 1) file.noPromote.add(b);
    const metaRef = next();
    const retired: number[] = [];
    for (let n = next(); n > 0; n--) retired.push(next());
    blockRefs.push({ meta: metaRef, retired });
    block.totalPins = next();
    block.totalRetiredPins = next();
    readCounts(next, block.pins);
    readCounts(next, block.retiredPins);
  }
  const pinRefs: Array<{ page: number; process: number; meta: number; retired: boolean }> = [];
  for (let n = next(); n > 0; n--) pinRefs.push({ page: next(), process: next(), meta: next(), retired: next() === 1 });
  const metas: FolioMeta[] = [];
  const poolMeta = pool.meta;
  poolMeta.clear();
  let smallCount = 0;
  for (let n = next(); n > 0; n--) {
    const canon = next();
    const head = canon & 0x8000 ? smallBase + (canon & 0x7fff) : canon * P;
    if (canon & 0x8000) smallCount = Math.max(smallCount, (canon & 0x7fff) + 1);
    const m: FolioMeta = { head, originalOrder: next(), order: next(), pins: new Map() };
    if (next()) poolMeta.set(head, m);
    readCounts(next, m.pins);
    metas.push(m);
  }
  file.heldFolios = 0;
  file.currentPins = 0;
  for (let b = 0; b < file.nBlocks; b++) {
    const block = file.recordFor(b);
    const ref = blockRefs[b]!;
    block.meta = ref.meta ? metas[ref.meta - 1] : undefined;
    block.retired = ref.retired.map((i) => metas[i]!);
    // The file's running counters (gmem-file.ts keeps them as records change).
    if (block.meta) file.heldFolios++;
    file.currentPins += block.totalPins;
  }
  for (const r of pinRefs) file.pinStack.push({ page: r.page, process: r.process, folio: metas[r.meta]!, retired: r.retired } satisfies PinRecord);
  const freeList = pool.freeList;
  freeList.length = 0;
  for (let n = next(); n > 0; n--) freeList.push(next());
  (file as unknown as FileInside).nextSmallPfn = smallBase + smallCount;

  const hugeCount = next();
  // Every huge page ever handed out is in the file, the wrapper or the free list, so renamed 0..hugeCount-1: the rest are fresh.
  pool.fresh = hugeCount;
  const fills: Array<[number, number]> = [];
  for (let k = 0; k < hugeCount; k++) for (let i = 0; i < P; i++) fills.push([k * P + i, next()]);
  for (const m of metas) if (m.head >= smallBase) fills.push([m.head, next()]);
  const slotFills: Array<[number, number]> = [];
  if (file.slotMemory) {
    smallSlabs(file.slotMemory, file.nPages);
    for (let p = 0; p < file.nPages; p++) slotFills.push([p, next()]);
  }
  const oddStart = at;
  const restore = (memory: PhysicalMemory, list: Array<[number, number]>) => {
    for (const [pfn, v] of list) {
      if (v === 0 || v === 0xffff) continue;
      if (v < 0x100) memory.fill(pfn, 0, v, ps);
      else {
        const from = oddStart + (v - 0x100) * ps;
        const bytes = Buffer.alloc(ps);
        for (let i = 0; i < ps; i++) bytes[i] = encoding.charCodeAt(from + i);
        memory.write(pfn, 0, bytes, 0, ps);
      }
    }
  };
  restore(sim.memory, fills);
  if (file.slotMemory) restore(file.slotMemory, slotFills);
  // What the rebuilding changed is not a step's change: the first check of this file is a full one anyway.
  file.changes = noChanges();
  return sim;
}

function readCounts(next: () => number, into: Map<number, number>): void {
  into.clear();
  for (let n = next(); n > 0; n--) into.set(next(), next());
}

/**
 * The fields of each simulator object that the codec knows. A
 * field the simulator gains must be added to encode and
 * materialize; `assertKnownFields` refuses to explore until it is,
 * so a new field can never be silently left out of the state.
 */
export const KNOWN_FIELDS = {
  // convertFailure, impossibleAccess: the step's bookkeeping, reset by every step.
  Simulator: ['config', 'memory', 'pool', 'baseline', 'file', 'exposed', 'convertFailure', 'impossibleAccess'],
  // initialCode, range, folio, onPageChange, onMappingChange: fixed by create; records and blocks: the blocks, encoded per block;
  // changes: the step's bookkeeping for the incremental check (reset); heldFolios, currentPins: recounted from the blocks.
  GmemFile: [
    'geometry', 'settings', 'pool', 'memory', 'nPages', 'nBlocks', 'pages', 'initialCode', 'uptodate', 'exposed', 'noPromote', 'acceptPending', 'contentBreaks',
    'records', 'blocks', 'guest4k', 'hostMaps', 'pinStack', 'changes', 'heldFolios', 'currentPins', 'used', 'subpoolAlive', 'fdOpen', 'mappers',
    'bound', 'released', 'closed', 'splitArmed', 'allocatedBytes', 'slotMemory', 'nextSmallPfn', 'range', 'folio', 'onPageChange', 'onMappingChange',
  ],
  BlockRecord: ['folio', 'meta', 'retired', 'guestHuge', 'pins', 'retiredPins', 'totalPins', 'totalRetiredPins'],
  // fresh: recomputed from the renamed huge pages (materialize).
  HugePool: ['hugePages', 'pagesPerHuge', 'free', 'rsvd', 'cgroupRsvd', 'cgroupUsage', 'freeList', 'fresh', 'meta', 'returns'],
  PhysicalMemory: ['pageSize', 'slabs', 'slabPages'],
} as const;

export function assertKnownFields(sim: Simulator): void {
  const check = (what: keyof typeof KNOWN_FIELDS, obj: object | undefined) => {
    if (!obj) return;
    const known = new Set<string>(KNOWN_FIELDS[what]);
    const unknown = Object.keys(obj).filter((k) => !known.has(k));
    if (unknown.length) throw new Error(`src/explore/state-codec.ts does not know ${what}.${unknown.join(`, ${what}.`)}: add to encode and materialize before exploring`);
  };
  check('Simulator', sim);
  check('GmemFile', sim.file);
  check('BlockRecord', sim.file?.blocks[0]);
  check('HugePool', sim.pool);
  check('PhysicalMemory', sim.memory);
  check('PhysicalMemory', sim.file?.slotMemory);
}

