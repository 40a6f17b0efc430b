/**
 * KVM_SET_MEMORY_ATTRIBUTES2 (RFC v2 KVM_GMEM_CONVERT_*): set the
 * shareability of a page range (S-IP8, S-IP13, S-V2c, S-W, S-W2, S-SC).
 *
 * Each tree's order is its profile (machines/variant.ts): the unit that
 * checks, commits and fails together (`convertUnit`), where the stage-2 zap
 * sits against the split (`toSharedOrder`), which mappings it clears
 * (`zapScope`, `zapLeaf`), whether to-private merges (`mergeOnToPrivate`,
 * asked by the plans). Whether a page may change, whether a folio is pinned,
 * whether a split fails: the machines answer. Contents follow the VM type.
 */
import type { Shareability } from '../../machines/policy';
import type { GmemFile } from './gmem-file';
import type { Simulator, StepOutcome } from './simulator';
import { deleteRange } from './page-sets';
import { fail, isFile, OK } from './simulator';
import { zapSplitLeaf, zapWholeLeaf } from './stage2';

interface Unit {
  /** pages [from, to) of the file. */
  from: number;
  to: number;
}

export function convert(sim: Simulator, offset: number, length: number, to: Shareability): StepOutcome {
  const file = sim.fdFile();
  if (!isFile(file)) return file;
  const { pageSize, size } = file.geometry;
  const profile = file.settings.profile;
  // rfc-v2 answers length 0 before any other check (S-V2c kvm_gmem_convert_range).
  if (length === 0 && profile.convertLengthZero === 'ok-first') return OK;
  if (offset % pageSize !== 0 || length % pageSize !== 0 || offset < 0 || length <= 0) return fail('EINVAL');
  if (offset > size || offset + length > size || !Number.isSafeInteger(offset + length)) return fail('EINVAL');
  // K8: without SUPPORT_SHARED rfc-v2 never set up the shareability tree; no work is found (S-V2c kvm_gmem_convert_compute_work).
  if (profile.convertWithoutMmapIsNoop && !file.geometry.mmap) return OK;
  const first = offset / pageSize;
  const end = (offset + length) / pageSize;
  sim.convertFailure = undefined;
  if (allAt(file, first, end, to)) return OK; // already there: no unmap, no refcount check (TRACE-FORMAT convert)
  switch (profile.convertUnit) {
    case 'runs':
      return convertRuns(sim, file, first, end, to);
    case 'block-batches':
      return convertBatches(sim, file, first, end, to);
    case 'whole-range':
      return convertWhole(sim, file, { from: first, to: end }, to);
  }
}

function allAt(file: GmemFile, from: number, to: number, target: Shareability): boolean {
  for (let p = from; p < to; p++) if (file.shareability(p) !== target) return false;
  return true;
}

/** The maximal runs of pages in [from, to) not at the target. */
function runsNotAt(file: GmemFile, from: number, to: number, target: Shareability): Unit[] {
  const runs: Unit[] = [];
  for (let p = from; p < to; p++) {
    if (file.shareability(p) === target) continue;
    const last = runs[runs.length - 1];
    if (last && last.to === p) last.to = p + 1;
    else runs.push({ from: p, to: p + 1 });
  }
  return runs;
}

/** The unit's part in each block, in order. */
function blocksOf(file: GmemFile, from: number, to: number): Unit[] {
  const units: Unit[] = [];
  for (let p = from; p < to; ) {
    const blockEnd = (Math.floor(p / file.blockPages) + 1) * file.blockPages;
    units.push({ from: p, to: Math.min(to, blockEnd) });
    p = Math.min(to, blockEnd);
  }
  return units;
}

/** Per block of the unit, the block index and the unit's pages as indexes within it. */
function* slices(file: GmemFile, unit: Unit): Generator<{ b: number; from: number; to: number }> {
  for (const u of blocksOf(file, unit.from, unit.to)) {
    const b = Math.floor(u.from / file.blockPages);
    yield { b, from: u.from - b * file.blockPages, to: u.to - b * file.blockPages };
  }
}

/** To private unmaps the range from every host process first; a refusal does not restore them (TRACE-FORMAT convert). */
function unmapHost(file: GmemFile, from: number, to: number): void {
  for (const [process, pages] of file.hostMaps) {
    if (process !== 0 && file.settings.faults.has('to-private-forgets-other-processes')) continue;
    deleteRange(pages, from, to);
  }
}

/**
 * The refcount check, asked of the machines for every block of the unit:
 * EAGAIN with error_offset = max(start, folio start) of the first pinned
 * folio (the pinned page for an order-0 folio) (S-V2c, S-IP8, S-IP13).
 */
function checkToPrivate(file: GmemFile, unit: Unit): StepOutcome | undefined {
  for (const { b, from, to } of slices(file, unit)) {
    const facts = file.facts(b);
    const pinned = facts.file === 'huge' ? (facts.totalPins > 0 ? from : -1) : facts.firstPinnedIn(from, to);
    if (pinned < 0) continue;
    const refusal = file.probe(b, { type: 'convert', page: pinned, to: 'private' });
    if (!refusal) continue;
    const page = b * file.blockPages + (facts.file === 'huge' ? from : pinned);
    return fail(refusal.errno, { errorOffset: page * file.pageSize });
  }
  return undefined;
}

/** Records the unit through the plans (split, record, merge as the tree's plan says); tdx/snp scrub the pages that change. */
function record(file: GmemFile, unit: Unit, to: Shareability): StepOutcome | undefined {
  for (const { b, from, to: end } of slices(file, unit)) {
    const base = b * file.blockPages;
    const head = file.pfn(base);
    // tdx and snp firmware scrub the pages whose shareability changes (DOMAIN 6); unwritten ones read zero already.
    const scrub = file.settings.vmType === 'sw-protected' || head === undefined
      ? []
      : file.memory.framesIn(head + from, head + end).filter((pfn) => file.shareability(base + pfn - head) !== to);
    const refusal = file.runOp(b, { type: 'convert', page: from, count: end - from, to });
    if (refusal) return fail(refusal.errno);
    for (const pfn of scrub) file.memory.zeroPage(pfn);
  }
  return undefined;
}

/**
 * rfc-v2 (S-V2c kvm_gmem_convert_range, kvm_gmem_convert_should_proceed):
 * items are the runs not at the target. To shared: whole-leaf zap of every
 * item, then split every huge folio they meet; a failed split undoes this
 * request's splits and fails with the zaps kept (K1). To private: per item
 * unmap and refcount check, then clear, record and merge.
 */
function convertRuns(sim: Simulator, file: GmemFile, first: number, end: number, to: Shareability): StepOutcome {
  const items = runsNotAt(file, first, end, to);
  const request = { from: first, to: end };
  if (to === 'private') {
    for (const item of items) {
      unmapHost(file, item.from, item.to);
      const refused = checkToPrivate(file, item);
      if (refused) {
        sim.convertFailure = request;
        return refused;
      }
    }
    for (const item of items) {
      zapWholeLeaf(file, item.from, item.to);
      record(file, item, to);
    }
    return OK;
  }
  for (const item of items) zapWholeLeaf(file, item.from, item.to);
  const split: number[] = [];
  for (const item of items) {
    for (const { b } of slices(file, item)) {
      if (split.includes(b) || file.blocks[b]!.folio.file !== 'huge') continue;
      const refusal = file.runPlan(b, [{ type: 'SPLIT', fails: file.splitArmed }]);
      if (refusal) {
        // The rollback restores folios and shareability, not the stage-2 mappings already zapped (K1).
        for (const done of split) file.runPlan(done, [{ type: 'MERGE', pinned: false }]);
        sim.convertFailure = request;
        return fail(refusal.errno);
      }
      if ((file.blocks[b]!.folio.file as string) === 'split') split.push(b);
    }
  }
  for (const item of items) {
    const refused = record(file, item, to);
    if (refused) throw new Error(`conversion refused after its split: ${refused.kind}`);
  }
  return OK;
}

/**
 * WIP (S-W __kvm_gmem_set_attributes; S-W2 with S-Y3 16 and [FIXUP]
 * a8aedac2): one batch per block on a HugeTLB file, one for the whole range
 * otherwise; earlier batches stay converted. wip-2025-12 splits before the
 * whole-leaf zap; tdx-huge-v3 splits huge leaves crossing the range, zaps,
 * then splits the folio, so a failed split comes after the zap (K7).
 */
function convertBatches(sim: Simulator, file: GmemFile, first: number, end: number, to: Shareability): StepOutcome {
  const profile = file.settings.profile;
  const batches = file.geometry.hugetlb ? blocksOf(file, first, end) : [{ from: first, to: end }];
  for (const batch of batches) {
    if (to === 'private') {
      unmapHost(file, batch.from, batch.to);
      const refused = checkToPrivate(file, batch);
      if (refused) {
        sim.convertFailure = batch;
        return refused;
      }
      zapWholeLeaf(file, batch.from, batch.to);
      record(file, batch, to);
      continue;
    }
    if (profile.toSharedOrder === 'split-zap-then-split') zapSplitLeaf(file, batch.from, batch.to);
    else if (file.probe(Math.floor(batch.from / file.blockPages), shareOp(file, batch))) {
      // split-then-zap: the split fails before anything else; the batch stays as it was.
      const refused = record(file, batch, to);
      sim.convertFailure = batch;
      return refused!;
    } else zapWholeLeaf(file, batch.from, batch.to);
    const refused = record(file, batch, to);
    if (refused) {
      sim.convertFailure = batch;
      return refused;
    }
  }
  return OK;
}

function shareOp(file: GmemFile, batch: Unit) {
  const b = Math.floor(batch.from / file.blockPages);
  return { type: 'convert' as const, page: batch.from - b * file.blockPages, count: batch.to - batch.from, to: 'shared' as const };
}

/**
 * In-place (S-IP13 __kvm_gmem_set_attributes, kvm_gmem_has_outstanding_references;
 * S-IP8): the whole range checks and commits; to private unmaps, then EAGAIN
 * if pinned. v13 zaps only the mappings of pages that change (the direction
 * filter), v8 the whole range.
 */
function convertWhole(sim: Simulator, file: GmemFile, range: Unit, to: Shareability): StepOutcome {
  if (to === 'private') {
    unmapHost(file, range.from, range.to);
    const refused = checkToPrivate(file, range);
    if (refused) {
      sim.convertFailure = range;
      return refused;
    }
  }
  if (file.settings.profile.zapScope === 'changing-pages') {
    for (const item of runsNotAt(file, range.from, range.to, to)) zapWholeLeaf(file, item.from, item.to);
  } else zapWholeLeaf(file, range.from, range.to);
  const refused = record(file, range, to);
  if (refused) {
    sim.convertFailure = range;
    return refused;
  }
  return OK;
}
