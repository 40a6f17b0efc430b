/**
 * INV-1 to INV-13 (DOMAIN 9) as named predicates over the simulator, checked
 * after every step. Each returns its violations, naming the page or block.
 * Some need to know what the step was and what the file looked like before
 * it (StepContext); `captureBefore` takes that picture.
 */
import type { GmemFile } from './interpreter/gmem-file';
import type { Simulator } from './interpreter/simulator';
import { membersIn } from './interpreter/page-sets';
import { IS_SHARED_CODE } from './interpreter/steppers';

export interface Violation {
  invariant: InvariantName;
  /** `page N`, `block N`, `pool` or `file`. */
  where: string;
  detail: string;
  /** the known kernel defect (DOMAIN 7.3, K1-K8) whose mechanism produced it, when one did. */
  defect?: string;
}

export const INVARIANTS = {
  'INV-1': 'confidentiality: no host mapping of a private page; host access to a private page raises SIGBUS',
  'INV-2': 'shared-is-small: an allocated shared page is on an order-0 folio; a huge folio means an all-private block',
  'INV-3': 'merge-eagerly: after a successful conversion a split block holds some shared page',
  'INV-4': 'mapping-within-folio: a guest mapping is never larger than its folio; huge only over an all-private block',
  'INV-5': 'return-whole: folios go back to the pool only at their original order; no sub-folio alone',
  'INV-6': 'shareability-independent: allocation and truncation never change shareability',
  'INV-7': 'total-coverage: shareability is defined for exactly the file\'s pages',
  'INV-8': 'refcount-gate: no private page and no huge folio holds a pin',
  'INV-9': 'content: first exposure reads zero; conversions keep or zero bytes per VM type',
  'INV-10': 'no-leak: after the last reference, unpinning everything and settling, the pool and cgroup counters are back to their baseline',
  'INV-11': 'accounting: allocated bytes equal the bytes of the folios the file holds',
  'INV-12': 'atomic-failure: a failed conversion leaves shareability, guest mappings and folios of the failing unit as they were',
  'INV-13': 'contiguity: a block stays one physically contiguous huge page while the file owns it',
} as const;
export type InvariantName = keyof typeof INVARIANTS;
export const INVARIANT_NAMES = Object.keys(INVARIANTS) as InvariantName[];

/** What the step was, and the file before it. */
export interface StepContext {
  op: string;
  ok: boolean;
  before: Before;
  /** a conversion: its page range and, if it failed, the unit that failed. */
  convert?: { from: number; to: number; target: 'shared' | 'private'; failedUnit?: { from: number; to: number } };
}

/**
 * The file before a step, kept small: whole-file facts are checked from the
 * file's own change summary; only a conversion's range is copied.
 */
export interface Before {
  poolReturns: number;
  /** a conversion's range: page states, 4K guest mappings, blocks mapped huge, digests of written pages, folio states. */
  range?: { from: number; to: number; codes: Uint8Array; guest4k: Set<number>; guestHuge: Set<number>; digests: Map<number, number>; folio: string[] };
}

export function captureBefore(sim: Simulator, range?: { from: number; to: number }): Before {
  const file = sim.file;
  const before: Before = { poolReturns: sim.pool.returns.length };
  if (!file) return before;
  file.shareabilityChanges = { count: 0, first: Infinity, last: -Infinity };
  file.contentBreaks = [];
  if (range) {
    const digests = new Map<number, number>();
    const guestHuge = new Set<number>();
    for (let b = Math.floor(range.from / file.blockPages); b * file.blockPages < range.to; b++) {
      if (file.blocks[b]!.guestHuge) guestHuge.add(b);
      const head = file.blocks[b]!.meta?.head;
      if (head === undefined) continue;
      const base = b * file.blockPages;
      const from = Math.max(range.from, base) - base;
      const to = Math.min(range.to, base + file.blockPages) - base;
      for (const pfn of sim.memory.framesIn(head + from, head + to)) digests.set(base + pfn - head, sim.memory.digest(pfn));
    }
    before.range = {
      ...range,
      codes: file.pages.slice(range.from, range.to),
      guest4k: new Set(membersIn(file.guest4k, range.from, range.to)),
      guestHuge,
      digests,
      folio: file.blocks.map((b) => b.folio.file),
    };
  }
  return before;
}

function guestLevel(file: GmemFile, p: number): number {
  return file.blocks[Math.floor(p / file.blockPages)]!.guestHuge ? 2 : file.guest4k.has(p) ? 1 : 0;
}

type Check = (sim: Simulator, file: GmemFile, ctx: StepContext) => Violation[];

const v = (invariant: InvariantName, where: string, detail: string, defect?: string): Violation => ({ invariant, where, detail, ...(defect ? { defect } : {}) });

const CHECKS: Record<InvariantName, Check> = {
  'INV-1': (_, file) => {
    const out: Violation[] = [];
    for (const [process, pages] of file.hostMaps) {
      for (const p of pages) if (file.shareability(p) === 'private') out.push(v('INV-1', `page ${p}`, `private page host-mapped by process ${process}`));
    }
    return out;
  },
  'INV-2': (_, file) => {
    const out: Violation[] = [];
    if (!file.geometry.hugetlb) return out;
    file.blocks.forEach((block, b) => {
      if (block.folio.file !== 'huge') return;
      const shared = countShared(file, b);
      // Under eager split only a tree that keeps the huge folio after a failed split gets here (K6).
      const k6 = file.settings.policy.split === 'eager' && file.settings.profile.allocSplitFailure === 'keep-huge';
      if (shared > 0) out.push(v('INV-2', `block ${b}`, `huge folio behind ${shared} shared page(s)`, k6 ? 'K6' : undefined));
    });
    return out;
  },
  'INV-3': (_, file, ctx) => {
    const out: Violation[] = [];
    if (!ctx.convert || !ctx.ok || !file.geometry.hugetlb) return out;
    for (let b = Math.floor(ctx.convert.from / file.blockPages); b * file.blockPages < ctx.convert.to; b++) {
      if (file.blocks[b]!.folio.file === 'split' && countShared(file, b) === 0) {
        out.push(v('INV-3', `block ${b}`, 'split block with no shared page after a conversion', file.settings.profile.mergeOnToPrivate ? undefined : 'K4'));
      }
    }
    return out;
  },
  'INV-4': (_, file) => {
    const out: Violation[] = [];
    file.blocks.forEach((block, b) => {
      if (block.guestHuge && (block.folio.file !== 'huge' || countShared(file, b) > 0)) {
        out.push(v('INV-4', `block ${b}`, `huge guest mapping over a ${block.folio.file} folio with ${countShared(file, b)} shared page(s)`));
      }
    });
    for (const p of file.guest4k) if (!file.isAllocated(p)) out.push(v('INV-4', `page ${p}`, 'guest mapping of an unallocated page'));
    return out;
  },
  'INV-5': (sim, _, ctx) =>
    sim.pool.returns
      .slice(ctx.before.poolReturns)
      .filter((r) => r.order !== r.originalOrder)
      .map((r) => v('INV-5', 'pool', `huge page at frame ${r.head} returned at order ${r.order}, not ${r.originalOrder}`)),
  'INV-6': (_, file, ctx) => {
    if (ctx.op === 'create') return [];
    // A conversion that returned 0 must have recorded its range, allocated or not (K8 breaks this).
    if (ctx.convert && ctx.ok) {
      for (let p = ctx.convert.from; p < ctx.convert.to; p++) {
        if (file.shareability(p) !== ctx.convert.target) {
          const k8 = file.settings.profile.convertWithoutMmapIsNoop && !file.geometry.mmap;
          return [v('INV-6', `page ${p}`, `a conversion to ${ctx.convert.target} returned 0 and left the page ${file.shareability(p)}`, k8 ? 'K8' : undefined)];
        }
      }
    }
    const c = file.shareabilityChanges;
    if (c.count === 0) return [];
    const inside = ctx.convert && c.first >= ctx.convert.from && c.last < ctx.convert.to;
    if (inside) return [];
    return [v('INV-6', `page ${c.first}`, `${ctx.op} changed the shareability of ${c.count} page(s) outside any conversion`)];
  },
  'INV-7': (_, file) =>
    file.pages.length === file.geometry.size / file.pageSize ? [] : [v('INV-7', 'file', `${file.pages.length} pages tracked for size ${file.geometry.size}`)],
  'INV-8': (_, file) => {
    const out: Violation[] = [];
    for (const pin of file.pinStack) {
      if (!pin.retired && file.shareability(pin.page) === 'private') out.push(v('INV-8', `page ${pin.page}`, 'a private page holds a pin'));
    }
    file.blocks.forEach((block, b) => {
      if (block.folio.file === 'huge' && block.totalPins > 0) out.push(v('INV-8', `block ${b}`, 'a huge folio holds pins'));
    });
    return out;
  },
  'INV-9': (sim, file, ctx) => {
    const out: Violation[] = [];
    for (const { page, detail, defect } of file.contentBreaks) out.push(v('INV-9', `page ${page}`, detail, defect));
    const range = ctx.before.range;
    if (ctx.convert && ctx.ok && range) {
      const preserve = sim.config.vmType === 'sw-protected';
      for (const [p, digest] of range.digests) {
        const pfn = file.pfn(p);
        if (pfn === undefined) continue;
        const changed = IS_SHARED_CODE[range.codes[p - range.from]!] !== IS_SHARED_CODE[file.pages[p]!];
        const now = sim.memory.digest(pfn);
        if (preserve && now !== digest) out.push(v('INV-9', `page ${p}`, 'sw-protected conversion changed the bytes'));
        if (!preserve && changed && now !== 0) out.push(v('INV-9', `page ${p}`, `${sim.config.vmType} conversion left bytes behind`));
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
  'INV-11': (_, file) => {
    const held = file.geometry.hugetlb
      ? file.blocks.filter((b) => b.meta).length * file.blockPages * file.pageSize
      : file.blocks.filter((b) => b.meta).length * file.pageSize;
    return held === file.allocatedBytes ? [] : [v('INV-11', 'file', `st_blocks says ${file.allocatedBytes} bytes, folios hold ${held}`)];
  },
  'INV-12': (_, file, ctx) => {
    const unit = ctx.convert?.failedUnit;
    const range = ctx.before.range;
    if (!unit || !range) return [];
    const out: Violation[] = [];
    const before = (p: number) => (range.guestHuge.has(Math.floor(p / file.blockPages)) ? 2 : range.guest4k.has(p) ? 1 : 0);
    // A zap before the failing split is the tree's order: K1 (rfc-v2), K7 (tdx-huge-v3).
    const order = file.settings.profile.toSharedOrder;
    const defect = order === 'zap-then-split' ? 'K1' : order === 'split-zap-then-split' ? 'K7' : undefined;
    for (let p = unit.from; p < unit.to && out.length < 8; p++) {
      if (guestLevel(file, p) !== before(p)) out.push(v('INV-12', `page ${p}`, 'a failed conversion changed the guest mapping', defect));
      if (IS_SHARED_CODE[file.pages[p]!] !== IS_SHARED_CODE[range.codes[p - range.from]!]) out.push(v('INV-12', `page ${p}`, 'a failed conversion changed shareability'));
    }
    for (let b = Math.floor(unit.from / file.blockPages); b * file.blockPages < unit.to; b++) {
      if (file.blocks[b]!.folio.file !== range.folio[b]) out.push(v('INV-12', `block ${b}`, `a failed conversion changed the folio from ${range.folio[b]} to ${file.blocks[b]!.folio.file}`));
    }
    return out;
  },
  'INV-13': (sim, file) => {
    const out: Violation[] = [];
    file.blocks.forEach((block, b) => {
      const meta = block.meta;
      if (!meta || !file.geometry.hugetlb) return;
      const last = sim.pool.folioOfPfn(meta.head + file.blockPages - 1);
      const first = sim.pool.folioOfPfn(meta.head);
      if (meta.head % file.blockPages !== 0 || !first || !last) out.push(v('INV-13', `block ${b}`, 'the block is not one contiguous huge page'));
    });
    return out;
  },
};

function countShared(file: GmemFile, b: number): number {
  let n = 0;
  const row = b * IS_SHARED_CODE.length;
  IS_SHARED_CODE.forEach((shared, code) => {
    if (shared) n += file.codeCounts[row + code]!;
  });
  return n;
}

/** Every invariant over the simulator after a step; a file that does not exist has none to break. */
export function checkInvariants(sim: Simulator, ctx: StepContext): Violation[] {
  const file = sim.file;
  if (!file) return [];
  return INVARIANT_NAMES.flatMap((name) => CHECKS[name](sim, file, ctx));
}
