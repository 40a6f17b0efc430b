/**
 * INV-1 to INV-14 (DOMAIN 9) as named predicates over the simulator, checked
 * after every step. Each returns its violations, naming the page or block.
 * INV-14 (liveness) is the step's outcome itself: a step that never returns
 * breaks it and is the only verdict of its step (the others are not checked:
 * nothing after the hang is observable, TRACE-FORMAT replay).
 * Some need to know what the step was and what the file looked like before
 * it (StepContext); `captureBefore` takes that picture.
 *
 * Two ways to check, with the same verdicts: the full check reads the whole
 * file (every block record, every run); the incremental check (the default)
 * re-evaluates the invariants about the file's state only where the step
 * changed something (GmemFile.changes: page ranges and blocks) and keeps the
 * violations found earlier elsewhere, since none of their inputs changed.
 * GMEM_FULL_CHECK=1 makes every check a full one.
 */
import type { BlockRecord, GmemFile, PinRecord } from '../interpreter/gmem-file';
import type { PageSet } from '../interpreter/page-set';
import type { RunMap } from '../interpreter/run-map';
import type { Simulator } from '../interpreter/simulator';
import { IS_ALLOCATED_CODE, IS_SHARED_CODE } from '../interpreter/machine-steppers';
import type { InvariantName } from '../../machines/invariants';
import { INVARIANT_NAMES } from '../../machines/invariants';
import { causedDefect } from '../../machines/expectations';

export interface Violation {
  invariant: InvariantName;
  /** `page N`, `block N`, `pool`, `file`, or the op that never returned (INV-14). */
  where: string;
  detail: string;
  /** the known kernel defect (DOMAIN 7.3, K1-K11) whose mechanism produced it, when one did. */
  defect?: string;
}


/** What the step was, and the file before it. */
export interface StepContext {
  op: string;
  ok: boolean;
  /** the step never returned (StepOutcome `hang`), and why: INV-14 is then the step's only verdict. */
  hang?: string;
  before: Before;
  /** a conversion: its page range and, if it failed, the unit that failed. */
  convert?: { from: number; to: number; target: 'shared' | 'private'; failedUnit?: { from: number; to: number } };
}

/**
 * The file before a step, kept small: whole-file facts are checked from the
 * file's own change summary; a conversion keeps copy-on-write clones of the
 * page states and 4K guest mappings (O(1) now) and what it needs of its range.
 */
export interface Before {
  poolReturns: number;
  /** a conversion's range: page states, 4K guest mappings, blocks mapped huge, digests of written pages, folio states of its blocks. */
  range?: { from: number; to: number; codes: RunMap<number>; guest4k: PageSet; guestHuge: Set<number>; digests: Map<number, number>; folio: Map<number, string> };
}

/**
 * The pages a conversion's byte range covers, clamped to the file: the range
 * the conversion checks (INV-3, INV-6, INV-9, INV-12) are scoped to. A
 * length-0 conversion covers no page whatever its offset, even an unaligned
 * one: rfc-v2 returns 0 for it before any other check and changes nothing
 * (S-V2c `kvm_gmem_ioctl_convert_range`; DOMAIN 4), so INV-6 has nothing it
 * must have recorded.
 */
export function conversionPages(nPages: number, pageSize: number, offset: number, length: number): { from: number; to: number } {
  const from = Math.min(nPages, Math.floor(offset / pageSize));
  if (length <= 0) return { from, to: from };
  return { from, to: Math.max(from, Math.min(nPages, Math.ceil((offset + length) / pageSize))) };
}

export function captureBefore(sim: Simulator, range?: { from: number; to: number }): Before {
  const file = sim.file;
  const before: Before = { poolReturns: sim.pool.returns.length };
  if (!file) return before;
  if (range) {
    const digests = new Map<number, number>();
    const guestHuge = new Set<number>();
    const folio = new Map<number, string>();
    for (let b = Math.floor(range.from / file.blockPages); b * file.blockPages < range.to; b++) {
      const block = file.block(b);
      folio.set(b, block.folio.file);
      if (block.guestHuge) guestHuge.add(b);
      const head = block.meta?.head;
      if (head === undefined) continue;
      const base = b * file.blockPages;
      const from = Math.max(range.from, base) - base;
      const to = Math.min(range.to, base + file.blockPages) - base;
      for (const pfn of sim.memory.framesIn(head + from, head + to)) digests.set(base + pfn - head, sim.memory.digest(pfn));
    }
    before.range = { ...range, codes: file.pages.clone(), guest4k: file.guest4k.clone(), guestHuge, digests, folio };
  }
  return before;
}

const v = (invariant: InvariantName, where: string, detail: string, defect?: string): Violation => ({ invariant, where, detail, ...(defect ? { defect } : {}) });

// ---- invariants over the file's state: checked where the step changed it --

/** Where a state check looks: everywhere, or the changed page ranges (merged, sorted pairs) and blocks (sorted). */
interface Scope {
  all: boolean;
  ranges: number[];
  blocks: number[];
}

/** A violation with where it sits: its order in the full check's list, and the page or block whose change can end it. */
interface Placed {
  key: readonly number[];
  page?: number;
  block?: number;
  violation: Violation;
}

type StateCheck = (file: GmemFile, scope: Scope) => Placed[];

function eachRange(file: GmemFile, scope: Scope, fn: (from: number, to: number) => void): void {
  if (scope.all) return fn(0, file.nPages);
  for (let i = 0; i < scope.ranges.length; i += 2) fn(scope.ranges[i]!, scope.ranges[i + 1]!);
}

function eachBlock(file: GmemFile, scope: Scope, fn: (b: number, block: BlockRecord) => void): void {
  if (scope.all) {
    file.records.forEach((block, b) => fn(b, block));
    return;
  }
  for (const b of scope.blocks) {
    const block = file.records.get(b);
    if (block) fn(b, block);
  }
}

/** Pages of the runs of `set` in [from, to) whose code passes `test`, in page order. */
function pagesWhere(file: GmemFile, set: PageSet, from: number, to: number, test: (code: number) => boolean, fn: (p: number) => void): void {
  for (const mapped of set.ranges(from, to)) {
    for (const run of file.pages.runs(mapped.from, mapped.to)) if (test(run.value)) for (let p = run.from; p < run.to; p++) fn(p);
  }
}

const isPrivate = (code: number) => !IS_SHARED_CODE[code];
const isUnallocated = (code: number) => !IS_ALLOCATED_CODE[code];
const isUnallocatedPrivate = (code: number) => !IS_ALLOCATED_CODE[code] && !IS_SHARED_CODE[code];
/**
 * Under eager split a huge folio behind a shared page is a tree's defect: a
 * failed split at allocation that keeps the huge folio (K6), or rfc-v2's
 * rollback merging a block split for its shared page (K9).
 */
const hugeBehindSharedDefect = (file: GmemFile): string | undefined => {
  // The seeded bug lazy-split leaves huge folios behind shared pages itself: those breaks are the bug's.
  if (file.settings.policy.split !== 'eager' || file.settings.faults.has('lazy-split')) return undefined;
  const profile = file.settings.profile;
  return causedDefect(profile, 'allocSplitFailure', 'INV-2') ?? causedDefect(profile, 'splitRollback', 'INV-2');
};

const STATE_CHECKS: Partial<Record<InvariantName, StateCheck>> = {
  'INV-1': (file, scope) => {
    const out: Placed[] = [];
    let rank = 0;
    for (const [process, pages] of file.hostMaps) {
      const r = rank++;
      eachRange(file, scope, (from, to) =>
        pagesWhere(file, pages, from, to, isPrivate, (p) => out.push({ key: [r, p], page: p, violation: v('INV-1', `page ${p}`, `private page host-mapped by process ${process}`) })),
      );
    }
    return out;
  },
  'INV-2': (file, scope) => {
    const out: Placed[] = [];
    if (!file.geometry.hugetlb) return out;
    eachBlock(file, scope, (b, block) => {
      if (block.folio.file !== 'huge') return;
      const shared = file.sharedPagesOf(b);
      if (shared > 0) out.push({ key: [b], block: b, violation: v('INV-2', `block ${b}`, `huge folio behind ${shared} shared page(s)`, hugeBehindSharedDefect(file)) });
    });
    return out;
  },
  'INV-4': (file, scope) => {
    const out: Placed[] = [];
    eachBlock(file, scope, (b, block) => {
      if (!block.guestHuge) return;
      const shared = file.sharedPagesOf(b);
      if (block.folio.file !== 'huge' || shared > 0) out.push({ key: [0, b], block: b, violation: v('INV-4', `block ${b}`, `huge guest mapping over a ${block.folio.file} folio with ${shared} shared page(s)`) });
    });
    // Where shared memory is the memslot's (DOMAIN 7.4, S-ML612), a shared page's mapping is of that memory, not of a folio of the file.
    const unbacked = file.settings.profile.sharedMemory === 'memslot' ? isUnallocatedPrivate : isUnallocated;
    eachRange(file, scope, (from, to) =>
      pagesWhere(file, file.guest4k, from, to, unbacked, (p) => out.push({ key: [1, p], page: p, violation: v('INV-4', `page ${p}`, 'guest mapping of an unallocated page') })),
    );
    return out;
  },
  'INV-8': (file, scope) => {
    const out: Placed[] = [];
    eachBlock(file, scope, (b, block) => {
      if (block.folio.file === 'huge' && block.totalPins > 0) out.push({ key: [b], block: b, violation: v('INV-8', `block ${b}`, 'a huge folio holds pins') });
    });
    return out;
  },
  'INV-13': (file, scope) => {
    const out: Placed[] = [];
    if (!file.geometry.hugetlb) return out;
    const pool = file.pool;
    eachBlock(file, scope, (b, block) => {
      const meta = block.meta;
      if (!meta) return;
      const last = pool.folioOfPfn(meta.head + file.blockPages - 1);
      const first = pool.folioOfPfn(meta.head);
      if (meta.head % file.blockPages !== 0 || !first || !last) out.push({ key: [b], block: b, violation: v('INV-13', `block ${b}`, 'the block is not one contiguous huge page') });
    });
    return out;
  },
};

// ---- invariants about the step itself: already scoped to what it did -----

/** `scope`: where the step changed the file (the incremental check), or undefined (the full check). */
type StepCheck = (sim: Simulator, file: GmemFile, ctx: StepContext, full: boolean, scope?: Scope) => Violation[];

/**
 * The incremental check's memory of a file (GmemFile.checkMemory): the state
 * violations standing after its last check, and the pins found on a private
 * page then (INV-8's pins, kept as the state violations are).
 */
interface CheckMemory {
  state?: Map<InvariantName, Placed[]>;
  pins?: ReadonlySet<PinRecord>;
}

const NO_PINS: ReadonlySet<PinRecord> = new Set<PinRecord>();

function memoryOf(file: GmemFile): CheckMemory {
  return (file.checkMemory ??= {}) as CheckMemory;
}

/** INV-8's test of a pin: it is on a page the file holds private (a retired pin left with its folio). */
const onPrivatePage = (file: GmemFile, pin: PinRecord): boolean => !pin.retired && file.shareability(pin.page) === 'private';

const STEP_CHECKS: Record<InvariantName, StepCheck> = {
  'INV-1': () => [],
  'INV-2': () => [],
  'INV-3': (_, file, ctx) => {
    const out: Violation[] = [];
    if (!ctx.convert || !ctx.ok || !file.geometry.hugetlb) return out;
    for (let b = Math.floor(ctx.convert.from / file.blockPages); b * file.blockPages < ctx.convert.to; b++) {
      if (file.block(b).folio.file === 'split' && file.sharedPagesOf(b) === 0) {
        out.push(v('INV-3', `block ${b}`, 'split block with no shared page after a conversion', causedDefect(file.settings.profile, 'mergeOnToPrivate', 'INV-3')));
      }
    }
    return out;
  },
  'INV-4': () => [],
  'INV-5': (sim, _, ctx) =>
    sim.pool.returns.length === ctx.before.poolReturns
      ? []
      : sim.pool.returns
      .slice(ctx.before.poolReturns)
      .filter((r) => r.order !== r.originalOrder)
      .map((r) => v('INV-5', 'pool', `huge page at frame ${r.head} returned at order ${r.order}, not ${r.originalOrder}`)),
  'INV-6': (_, file, ctx) => {
    if (ctx.op === 'create') return [];
    // A conversion that returned 0 must have recorded its range, allocated or not (K8 breaks this).
    if (ctx.convert && ctx.ok) {
      const shared = ctx.convert.target === 'shared';
      for (const run of file.pages.runs(ctx.convert.from, ctx.convert.to)) {
        if (IS_SHARED_CODE[run.value] !== shared) {
          const noop = file.geometry.mmap ? undefined : causedDefect(file.settings.profile, 'convertWithoutMmapIsNoop', 'INV-6');
          return [v('INV-6', `page ${run.from}`, `a conversion to ${ctx.convert.target} returned 0 and left the page ${file.shareability(run.from)}`, noop)];
        }
      }
    }
    const c = file.changes.shareability;
    if (c.count === 0) return [];
    const inside = ctx.convert && c.first >= ctx.convert.from && c.last < ctx.convert.to;
    if (inside) return [];
    return [v('INV-6', `page ${c.first}`, `${ctx.op} changed the shareability of ${c.count} page(s) outside any conversion`)];
  },
  'INV-7': (_, file) =>
    file.pages.length === file.geometry.size / file.pageSize ? [] : [v('INV-7', 'file', `${file.pages.length} pages tracked for size ${file.geometry.size}`)],
  // In pin order. A pin's verdict changes only with its page's shareability, its retirement or its
  // booking, and each of those puts its page in the step's changed ranges: elsewhere the last verdict stands.
  'INV-8': (_, file, __, ___, scope) => {
    const out: Violation[] = [];
    // The full check only reads; the incremental one (scope given, perhaps all of it) remembers.
    const before = scope && !scope.all ? memoryOf(file).pins : undefined;
    const now = new Set<PinRecord>();
    for (const pin of file.pinStack) {
      const bad = before && !inScope(scope!, { key: [], page: pin.page, violation: undefined as never }) ? before.has(pin) : onPrivatePage(file, pin);
      if (!bad) continue;
      now.add(pin);
      out.push(v('INV-8', `page ${pin.page}`, 'a private page holds a pin'));
    }
    if (scope) memoryOf(file).pins = now;
    return out;
  },
  'INV-9': (sim, file, ctx) => {
    const out: Violation[] = [];
    for (const { page, detail, defect } of file.contentBreaks) out.push(v('INV-9', `page ${page}`, detail, defect));
    const range = ctx.before.range;
    if (ctx.convert && ctx.ok && range) {
      // DOMAIN 6: sw-protected keeps the bytes; snp, and tdx on rfc-v2 and WIP, zero the pages that change;
      // tdx on in-place trees keeps them but for the clearing of a removed private mapping (a content break itself where it hurts: K11).
      const { vmType } = sim.config;
      const rule = vmType === 'sw-protected' ? 'keep' : vmType === 'tdx' && file.settings.profile.tdxConvertContents === 'sept' ? 'keep-or-clear' : 'zero-changing';
      for (const [p, digest] of range.digests) {
        const pfn = file.pfn(p);
        if (pfn === undefined) continue;
        const changed = IS_SHARED_CODE[range.codes.get(p)] !== IS_SHARED_CODE[file.pages.get(p)];
        const now = sim.memory.digest(pfn);
        if (rule === 'keep' && now !== digest) out.push(v('INV-9', `page ${p}`, 'sw-protected conversion changed the bytes'));
        if (rule === 'keep-or-clear' && now !== digest && now !== 0) out.push(v('INV-9', `page ${p}`, 'tdx conversion changed the bytes'));
        if (rule === 'zero-changing' && changed && now !== 0) out.push(v('INV-9', `page ${p}`, `${vmType} conversion left bytes behind`));
      }
    }
    return out;
  },
  'INV-10': (sim, file, ctx) => {
    if (ctx.op !== 'settle' || !file.released || file.pinStack.length > 0) return [];
    const { free, rsvd, cgroupRsvd, cgroupUsage } = sim.pool;
    const base = sim.baseline;
    const same = free === base.free && rsvd === base.rsvd && cgroupRsvd === base.cgroupRsvd && cgroupUsage === base.cgroupUsage;
    return same ? [] : [v('INV-10', 'pool', `free ${free} rsvd ${rsvd} cgroup ${cgroupRsvd}/${cgroupUsage} after the last reference and settle; before create free ${base.free} rsvd ${base.rsvd} cgroup ${base.cgroupRsvd}/${base.cgroupUsage}`)];
  },
  // The full check counts the folios the file holds; the incremental one reads the count kept as records change.
  'INV-11': (_, file, __, full) => {
    // DOMAIN 7.4: 6.12 never updates st_blocks (no inode_add_bytes), so the accounting does not apply (S-ML612).
    if (!file.settings.profile.stBlocks) return [];
    let folios = file.heldFolios;
    if (full) {
      folios = 0;
      file.records.forEach((b) => {
        if (b.meta) folios++;
      });
    }
    const held = folios * (file.geometry.hugetlb ? file.blockPages * file.pageSize : file.pageSize);
    return held === file.allocatedBytes ? [] : [v('INV-11', 'file', `st_blocks says ${file.allocatedBytes} bytes, folios hold ${held}`)];
  },
  /*
   * Observable, as DOMAIN 9 checks it: the failing unit's shareability, folios
   * (order, allocation) and guest mappings (none, 4k, huge) as `check` reads
   * them, after against before. A failure after the zap breaks it only where
   * the zap removed a mapping: a zap that found none (none existed, or no
   * memslot binds the file after `unbind` or release: `kvm_gmem_zap` walks the
   * bindings, S-W) leaves nothing to undo, and does not break it by itself.
   */
  'INV-12': (_, file, ctx) => {
    const unit = ctx.convert?.failedUnit;
    const range = ctx.before.range;
    if (!unit || !range) return [];
    const out: Violation[] = [];
    const n = file.blockPages;
    const levelNow = (p: number) => (file.block(Math.floor(p / n)).guestHuge ? 2 : file.guest4k.has(p) ? 1 : 0);
    const levelBefore = (p: number) => (range.guestHuge.has(Math.floor(p / n)) ? 2 : range.guest4k.has(p) ? 1 : 0);
    // A zap before the failing split is the tree's order: K1 (rfc-v2), K7 (tdx-huge-v3).
    const defect = causedDefect(file.settings.profile, 'toSharedOrder', 'INV-12');
    // Pieces of the unit over which nothing differs from page to page: where any of the four maps or a block changes.
    const cuts = new Set<number>([unit.from, unit.to]);
    for (const map of [file.pages, range.codes]) for (const run of map.runs(unit.from, unit.to)) cuts.add(run.from);
    for (const set of [file.guest4k, range.guest4k]) for (const run of set.ranges(unit.from, unit.to)) cuts.add(run.from).add(run.to);
    for (let b = Math.floor(unit.from / n); b * n < unit.to; b++) cuts.add(Math.max(unit.from, b * n));
    const points = [...cuts].filter((p) => p >= unit.from && p <= unit.to).sort((a, b) => a - b);
    for (let i = 0; i + 1 < points.length && out.length < 8; i++) {
      const from = points[i]!;
      const guest = levelNow(from) !== levelBefore(from);
      const shared = IS_SHARED_CODE[file.pages.get(from)] !== IS_SHARED_CODE[range.codes.get(from)];
      if (!guest && !shared) continue;
      for (let p = from; p < points[i + 1]! && out.length < 8; p++) {
        if (guest) out.push(v('INV-12', `page ${p}`, 'a failed conversion changed the guest mapping', defect));
        if (shared) out.push(v('INV-12', `page ${p}`, 'a failed conversion changed shareability'));
      }
    }
    for (let b = Math.floor(unit.from / n); b * n < unit.to; b++) {
      const was = range.folio.get(b);
      const now = file.block(b).folio.file;
      if (now !== was) out.push(v('INV-12', `block ${b}`, `a failed conversion changed the folio from ${was} to ${now}`));
    }
    return out;
  },
  'INV-13': () => [],
  // A step that never returns is judged before everything else (liveness): see checkInvariants.
  'INV-14': () => [],
};

/**
 * INV-14 liveness (DOMAIN 9; TRACE-FORMAT `"HANG"`): the step never returned.
 * The break carries the variant's known defect that hangs (K10 on rfc-v2,
 * S-V2c `kvm_gmem_restructure_folios_in_range`) when the table lists one.
 */
function liveness(sim: Simulator, ctx: StepContext & { hang: string }): Violation[] {
  const defect = causedDefect(sim.profile, 'splitRollback', 'INV-14');
  return [v('INV-14', ctx.op, `the operation never returns: ${ctx.hang}`, defect)];
}

const hung = (ctx: StepContext): ctx is StepContext & { hang: string } => ctx.hang !== undefined;

const STATE_CHECK_LIST = Object.entries(STATE_CHECKS) as Array<[InvariantName, StateCheck]>;
/** GMEM_FULL_CHECK=1: every check is a full one (read once: process.env is slow to ask at every step). */
const FORCE_FULL = process.env['GMEM_FULL_CHECK'] === '1';

function byKey(a: Placed, b: Placed): number {
  for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return a.key[i]! - b.key[i]!;
  return 0;
}

function assemble(sim: Simulator, file: GmemFile, ctx: StepContext, full: boolean, state: Map<InvariantName, Placed[]>, scope?: Scope): Violation[] {
  // Pushed one by one, not spread: this runs on every transition the explorer tries, nearly always with nothing to report.
  const out: Violation[] = [];
  for (const name of INVARIANT_NAMES) {
    const placed = state.get(name);
    // INV-8 lists its pins (step part) before its blocks (state part), as it always has.
    if (name === 'INV-8') for (const x of STEP_CHECKS[name](sim, file, ctx, full, scope)) out.push(x);
    if (placed) for (const p of placed) out.push(p.violation);
    if (name !== 'INV-8') for (const x of STEP_CHECKS[name](sim, file, ctx, full)) out.push(x);
  }
  return out;
}

/** Every invariant over the whole file after a step; a file that does not exist has none to break. */
export function checkInvariantsFull(sim: Simulator, ctx: StepContext): Violation[] {
  if (hung(ctx)) return liveness(sim, ctx);
  const file = sim.file;
  if (!file) return [];
  return assemble(sim, file, ctx, true, fullState(file));
}

function fullState(file: GmemFile): Map<InvariantName, Placed[]> {
  const scope: Scope = { all: true, ranges: [], blocks: [] };
  const state = new Map<InvariantName, Placed[]>();
  for (const [name, check] of STATE_CHECK_LIST) state.set(name, check(file, scope).sort(byKey));
  return state;
}

/**
 * For the test that holds the two checks to the same verdicts: while
 * `enabled`, every incremental check also runs the full one and records any
 * difference (the step, both lists); `steps` counts the comparisons.
 */
export const agreement = { enabled: false, steps: 0, mismatches: [] as Array<{ op: string; full: Violation[]; incremental: Violation[] }> };


/**
 * Every invariant after a step, re-evaluated only where the step changed the
 * file (the violations standing elsewhere are kept: nothing they read has
 * changed); the full check when GMEM_FULL_CHECK=1, and at a file's first check.
 */
export function checkInvariants(sim: Simulator, ctx: StepContext): Violation[] {
  // Nothing after a hang is observable: INV-14 is the step's only verdict, and the incremental state is left as it was.
  if (hung(ctx)) return liveness(sim, ctx);
  const file = sim.file;
  if (!file) return [];
  if (!agreement.enabled) return checkIncrementally(sim, file, ctx);
  // The full check only reads, so it can run first on the same state.
  const full = checkInvariantsFull(sim, ctx);
  const incremental = checkIncrementally(sim, file, ctx);
  agreement.steps++;
  if (JSON.stringify(full) !== JSON.stringify(incremental)) agreement.mismatches.push({ op: ctx.op, full, incremental });
  return incremental;
}

/**
 * The explorer forks a state per step it tries: the parent's state checks
 * are made once (a full check of its state, and the pins on private pages)
 * and each copy starts from them, so its check looks only where its step
 * changed the file. `copy` must be a fresh copy of `file` (pins in the same
 * order); the full check of the copy gives the same verdicts
 * (test/invariants.agreement.test.ts).
 */
export function startChecksFrom(file: GmemFile, copy: GmemFile): void {
  const memory = memoryOf(file);
  if (!memory.state || !memory.pins) {
    memory.state = fullState(file);
    memory.pins = new Set(file.pinStack.filter((pin) => onPrivatePage(file, pin)));
  }
  // INV-8 replaces its set rather than changing it, so copies without such pins can share one empty set.
  let pins = NO_PINS;
  if (memory.pins.size) {
    const mapped = new Set<PinRecord>();
    file.pinStack.forEach((pin, i) => memory.pins!.has(pin) && mapped.add(copy.pinStack[i]!));
    pins = mapped;
  }
  copy.checkMemory = { state: memory.state, pins } satisfies CheckMemory;
}

function checkIncrementally(sim: Simulator, file: GmemFile, ctx: StepContext): Violation[] {
  const changes = file.changes;
  const memory = memoryOf(file);
  const before = memory.state;
  let state: Map<InvariantName, Placed[]>;
  let scope: Scope = { all: true, ranges: [], blocks: [] };
  if (!before || changes.all || FORCE_FULL || !memory.pins) {
    state = fullState(file);
  } else if (changes.ranges.length === 0 && changes.blocks.size === 0) {
    // The step changed nothing a state check reads (half the explorer's transitions): every verdict stands.
    state = before;
    scope = { all: false, ranges: [], blocks: [] };
  } else {
    scope = scopeOf(file);
    state = new Map();
    for (const [name, check] of STATE_CHECK_LIST) {
      const kept = (before.get(name) ?? []).filter((p) => !inScope(scope, p));
      const fresh = check(file, scope);
      state.set(name, kept.length + fresh.length ? [...kept, ...fresh].sort(byKey) : kept);
    }
  }
  memory.state = state;
  // What the next check must look at starts empty (the shareability summary is the step's, reset by captureBefore).
  if (changes.ranges.length) changes.ranges = [];
  changes.blocks.clear();
  changes.all = false;
  return assemble(sim, file, ctx, false, state, scope);
}

/** The step's changed ranges merged and sorted; its blocks with those the ranges meet that have a record. */
function scopeOf(file: GmemFile): Scope {
  const { ranges: raw, blocks: touched } = file.changes;
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const ranges: number[] = [];
  for (const [from, to] of pairs) {
    const n = ranges.length;
    if (n && from <= ranges[n - 1]!) ranges[n - 1] = Math.max(ranges[n - 1]!, to);
    else ranges.push(from, to);
  }
  const blocks = new Set(touched);
  for (let i = 0; i < ranges.length; i += 2) {
    file.records.forRange(Math.floor(ranges[i]! / file.blockPages), Math.floor((ranges[i + 1]! - 1) / file.blockPages), true, (b) => {
      blocks.add(b);
    });
  }
  return { all: false, ranges, blocks: [...blocks].sort((a, b) => a - b) };
}

function inScope(scope: Scope, placed: Placed): boolean {
  if (placed.block !== undefined) return binarySearch(scope.blocks, placed.block);
  const p = placed.page!;
  // The last range starting at or before p.
  let lo = 0;
  let hi = scope.ranges.length / 2 - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (scope.ranges[mid * 2]! <= p) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && p < scope.ranges[found * 2 + 1]!;
}

function binarySearch(sorted: ReadonlyArray<number>, x: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === x) return true;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
