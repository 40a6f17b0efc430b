/**
 * Running operations on a file's blocks. Nothing here decides what is legal:
 * operations become plans (machines/block.plan.ts); every step is answered
 * by the range or folio machine through the memoised steppers; refusals come
 * back as the machines name them, and arena effects happen where the folio
 * machine names them (folio-effects.ts). Steps over many pages are applied
 * in bulk with one table per event.
 */
import type { BlockFacts, BlockOp, BookStep, PageStep, PagesStep, PlanStep } from '../../machines/block.plan';
import { isBookStep, isPagesStep, planOp } from '../../machines/block.plan';
import type { FolioEvent } from '../../machines/folio.machine';
import type { Refusal } from '../../machines/outcome';
import type { RangeEvent } from '../../machines/range.machine';
import { FileBlockFacts } from './block-facts';
import type { FileGeometry, FileParts, FileSettings } from './file-parts';
import { applyFolioEffect, pagesChanged } from './folio-effects';
import type { OnChange } from './run-map';
import { RunMap } from './run-map';
import type { PageTable } from './machine-steppers';
import { FolioStepper, RangeStepper } from './machine-steppers';

interface Steppers {
  range: RangeStepper;
  folio: FolioStepper;
}

/**
 * The steppers of the last geometry seen with each settings object: every
 * copy of a file shares both objects, and a create makes the two together,
 * so one lookup finds them (asking RangeStepper.for costs a JSON key per call).
 */
const steppersOf = new WeakMap<FileSettings, { geometry: FileGeometry; steppers: Steppers }>();

function steppersFor(geometry: FileGeometry, settings: FileSettings): Steppers {
  const known = steppersOf.get(settings);
  if (known?.geometry === geometry) return known.steppers;
  const { policy, faults, profile } = settings;
  const steppers: Steppers = {
    range: RangeStepper.for({
      initial: geometry.initShared ? 'shared' : 'private',
      hugetlb: geometry.hugetlb,
      afterTruncate: faults.has('punch-resets-shareability') ? 'reset' : policy.afterTruncate,
      truncateWhilePinned: policy.truncateWhilePinned,
    }),
    folio: FolioStepper.for({
      split: faults.has('lazy-split') ? 'lazy' : policy.split,
      restore: policy.restore,
      truncateWhilePinned: policy.truncateWhilePinned,
      evict: profile.evict,
      allocSplitFailure: profile.allocSplitFailure,
    }),
  };
  steppersOf.set(settings, { geometry, steppers });
  return steppers;
}

export class PlanRunner {
  private readonly range: RangeStepper;
  private readonly folio: FolioStepper;
  /** told of every change of a page's range-machine state. */
  private readonly onPageChange: OnChange<number>;

  constructor(private readonly file: FileParts) {
    const { range, folio } = steppersFor(file.geometry, file.settings);
    this.range = range;
    this.folio = folio;
    this.onPageChange = (from, to, before, next) => pagesChanged(file, from, to, before, next);
  }

  private get blockPages(): number {
    return this.file.geometry.blockPages;
  }

  facts(b: number): BlockFacts {
    return new FileBlockFacts(this.file, b, false);
  }

  /** The facts a plan sees; the seeded refcount bug hides pins from conversions. */
  private factsFor(b: number, op: BlockOp): BlockFacts {
    return new FileBlockFacts(this.file, b, op.type === 'convert' && this.file.settings.faults.has('merge-without-refcount-check'));
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
    const nBlocks = this.file.nBlocks;
    const touched = this.file.folios.records.keysArray();
    let stand = 0;
    while (stand < touched.length && touched[stand] === stand) stand++;
    if (stand >= nBlocks) stand = -1;
    let dense = false;
    let prev = -1;
    const visit = (b: number) => each(b, this.runOp(b, op));
    for (const t of [...touched, nBlocks]) {
      if (dense) for (let b = prev + 1; b < t; b++) visit(b);
      else if (stand > prev && stand < t) {
        dense = !this.runStandIn(stand, op, each);
        if (dense) for (let b = stand + 1; b < t; b++) visit(b);
      }
      if (t < nBlocks) visit(t);
      prev = t;
    }
  }

  /** Runs the op on an untouched block; true when it changed nothing there (its record is then dropped again). */
  private runStandIn(b: number, op: BlockOp, each: (b: number, refusal: Refusal | undefined) => void): boolean {
    const { account, pool, folios, store } = this.file;
    const base = b * this.blockPages;
    const before = { used: account.used, bytes: account.allocatedBytes, returns: pool.returns.length, free: pool.free, rsvd: pool.rsvd };
    const refusal = this.runOp(b, op);
    each(b, refusal);
    const record = folios.records.get(b)!;
    const same =
      refusal === undefined &&
      store.pages.every(base, base + this.blockPages, this.file.initialCode) &&
      record.folio.file === 'none' &&
      record.folio.wrapper === 'empty' &&
      !record.meta &&
      record.retired.length === 0 &&
      record.totalPins === 0 &&
      record.totalRetiredPins === 0 &&
      !record.guestHuge &&
      before.used === account.used &&
      before.bytes === account.allocatedBytes &&
      before.returns === pool.returns.length &&
      before.free === pool.free &&
      before.rsvd === pool.rsvd;
    if (same) folios.records.delete(b);
    return same;
  }

  /**
   * The refusal an operation would meet, without changing anything: the plan
   * runs against a copy of the block's page runs and its folio state.
   */
  probe(b: number, op: BlockOp): Refusal | undefined {
    const n = this.blockPages;
    const base = b * n;
    const overlay = new RunMap<number>(n, this.file.initialCode);
    for (const run of this.file.store.pages.runs(base, base + n)) overlay.set(run.from - base, run.to - base, run.value);
    let folio = this.file.folios.block(b).folio;
    for (const step of planOp(this.factsFor(b, op), op)) {
      if (isBookStep(step)) continue;
      if (isPagesStep(step) || 'page' in step) {
        const { pages, except, page, ...event } = step as PagesStep & PageStep;
        const table = this.range.table(event as RangeEvent);
        const [from, to] = pages ?? [page, page + 1];
        const refusal = firstRefusal(overlay, table, from, Math.min(to, n), except);
        if (refusal) return refusal;
        applyTable(overlay, table, from, Math.min(to, n), except);
        continue;
      }
      if (!this.file.geometry.hugetlb) continue;
      const outcome = this.folio.step(folio, step);
      if (outcome.refusal) return outcome.refusal;
      folio = outcome.next;
    }
    return undefined;
  }

  runPlan(b: number, plan: ReadonlyArray<PlanStep>): Refusal | undefined {
    this.file.changes.blocks.add(b);
    this.file.folios.ensure(b);
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
    const pages = this.file.store.pages;
    const code = pages.get(p);
    if (table.refusal[code]) return table.refusal[code];
    const next = table.next[code]!;
    if (next !== code) pages.set(p, p + 1, next, this.onPageChange);
    return undefined;
  }

  private stepPages(b: number, step: PagesStep): Refusal | undefined {
    const { pages, except, ...event } = step;
    const table = this.range.table(event as RangeEvent);
    const codes = this.file.store.pages;
    const base = b * this.blockPages;
    const from = base + pages[0];
    const to = base + Math.min(pages[1], this.blockPages);
    const skip = except === undefined ? undefined : base + except;
    const whole = pages[0] === 0 && pages[1] >= this.blockPages;
    if (whole) {
      // Over a whole block the refusal is that of the lowest state present, as the block's state counts gave it.
      const present = new Set<number>();
      for (const run of codes.runs(from, to)) if (!(skip !== undefined && run.from === skip && run.to === skip + 1)) present.add(run.value);
      for (const code of [...present].sort((x, y) => x - y)) if (table.refusal[code]) return table.refusal[code];
    } else {
      const refusal = firstRefusal(codes, table, from, to, skip);
      if (refusal) return refusal;
    }
    applyTable(codes, table, from, to, skip, this.onPageChange);
    return undefined;
  }

  private stepFolio(b: number, event: FolioEvent): Refusal | undefined {
    if (!this.file.geometry.hugetlb) return undefined; // 4K files have no HugeTLB folio to split or merge
    const block = this.file.folios.ensure(b);
    const outcome = this.folio.step(block.folio, event);
    for (const effect of outcome.effects) applyFolioEffect(this.file, b, effect);
    // A refusal keeps the state, unless the tree's defect moves it anyway (K6).
    block.folio = outcome.next;
    return outcome.refusal;
  }

  /** The plan's bookkeeping of pins: on the folio the file holds, or on one that left it. */
  private book(b: number, step: BookStep): undefined {
    const { folios, changes } = this.file;
    const block = folios.ensure(b);
    const p = b * this.blockPages + step.page;
    changes.ranges.push(p, p + 1);
    if (step.type === 'BOOK_PIN') folios.pin(block, p);
    else if (step.type === 'BOOK_UNPIN_CURRENT') folios.unpin(block, p);
    else folios.unpinRetired(block, p);
    return undefined;
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
function applyTable(map: RunMap<number>, table: PageTable, from: number, to: number, skip: number | undefined, onChange?: OnChange<number>): void {
  const next = (code: number) => table.next[code]!;
  if (skip === undefined || skip < from || skip >= to) {
    if (from < to) map.update(from, to, next, onChange);
    return;
  }
  if (from < skip) map.update(from, skip, next, onChange);
  if (skip + 1 < to) map.update(skip + 1, to, next, onChange);
}
