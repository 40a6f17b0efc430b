/**
 * convert: KVM_SET_MEMORY_ATTRIBUTES2 (RFC v2 KVM_GMEM_CONVERT_*), set the
 * shareability of a page range (S-IP8, S-IP13, S-V2c, S-W, S-W2, S-SC); the
 * `convert` row of the operation table (src/engine/operations.ts).
 *
 * Each tree's order is its profile (machines/variant.ts): the unit that
 * checks, commits and fails together (`convertUnit`), where the stage-2 zap
 * sits against the split (`toSharedOrder`), which mappings it clears
 * (`zapScope`, `zapLeaf`), whether to-private merges (`mergeOnToPrivate`,
 * asked by the plans). Whether a page may change, whether a folio is pinned,
 * whether a split fails: the machines answer. Contents follow the VM type
 * and, under tdx, the tree (`tdxConvertContents`).
 */
import { NEVER_RETURNS } from '../../../machines/outcome';
import type { Shareability } from '../../../machines/policy';
import type { GmemFile } from '../gmem-file';
import type { Simulator } from '../simulator';
import type { StepOutcome } from '../outcome';
import { fdFile, isFile, vmFile } from '../file-access';
import { fail, hang, OK, refused } from '../outcome';
import { zeroPages } from '../content';
import { zapSplitLeaf, zapWholeLeaf } from '../stage2';
import { IS_SHARED_CODE } from '../machine-steppers';
import { causedDefect } from '../../../machines/expectations';

interface Unit {
  /** pages [from, to) of the file. */
  from: number;
  to: number;
}

export function convert(sim: Simulator, offset: number, length: number, to: Shareability): StepOutcome {
  // Attributes on the VM (S-ML612): KVM_SET_MEMORY_ATTRIBUTES is a VM ioctl, which works after the file's fd is closed.
  const onVm = sim.profile.attributes === 'vm';
  const file = onVm ? vmFile(sim) : fdFile(sim);
  if (!isFile(file)) return file;
  const { pageSize, size } = file.geometry;
  const profile = file.settings.profile;
  // rfc-v2 answers length 0 before any other check (S-V2c kvm_gmem_convert_range).
  if (length === 0 && profile.convertLengthZero === 'ok-first') return OK;
  if (offset % pageSize !== 0 || length % pageSize !== 0 || offset < 0 || length <= 0) return fail('EINVAL');
  if (!Number.isSafeInteger(offset + length)) return fail('EINVAL');
  // On the VM the range is guest physical addresses: nothing checks it against the file (S-ML612 kvm_vm_ioctl_set_mem_attributes).
  if (!onVm && (offset > size || offset + length > size)) return fail('EINVAL');
  // K8: without SUPPORT_SHARED rfc-v2 never set up the shareability tree; no work is found (S-V2c kvm_gmem_convert_compute_work).
  if (profile.convertWithoutMmapIsNoop && !file.geometry.mmap) return OK;
  const first = offset / pageSize;
  // [model] Attributes past the file's size are recorded on the VM and reach no page of the file: only the file's part is kept (DOMAIN 7.4).
  const end = Math.min(file.nPages, (offset + length) / pageSize);
  if (first >= end) return OK;
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
  const shared = target === 'shared';
  for (const run of file.pages.runs(from, to)) if (IS_SHARED_CODE[run.value] !== shared) return false;
  return true;
}

/** The maximal runs of pages in [from, to) not at the target. */
function runsNotAt(file: GmemFile, from: number, to: number, target: Shareability): Unit[] {
  const runs: Unit[] = [];
  const shared = target === 'shared';
  for (const run of file.pages.runs(from, to)) {
    if (IS_SHARED_CODE[run.value] === shared) continue;
    const last = runs[runs.length - 1];
    if (last && last.to === run.from) last.to = run.to;
    else runs.push({ from: run.from, to: run.to });
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
    pages.deleteRange(from, to);
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
    return refused(refusal, { errorOffset: page * file.pageSize });
  }
  return undefined;
}

/**
 * Whether the conversion itself scrubs the pages whose shareability changes:
 * snp, and tdx on rfc-v2 and the WIP trees [model] (DOMAIN 6). The in-place
 * trees leave tdx contents to the S-EPT (`tdxConvertContents: 'sept'`).
 */
function scrubsChanging(file: GmemFile): boolean {
  const { vmType } = file.settings;
  return vmType === 'snp' || (vmType === 'tdx' && file.settings.profile.tdxConvertContents === 'scrub-changing');
}

/** Records the unit through the plans (split, record, merge as the tree's plan says); snp and tdx per scrubsChanging. */
function record(file: GmemFile, unit: Unit, to: Shareability): StepOutcome | undefined {
  const scrubbing = scrubsChanging(file);
  for (const { b, from, to: end } of slices(file, unit)) {
    const base = b * file.blockPages;
    const head = file.pfn(base);
    // The firmware scrubs the pages whose shareability changes (DOMAIN 6); unwritten ones read zero already.
    const scrub = !scrubbing || head === undefined
      ? []
      : file.memory.framesIn(head + from, head + end).filter((pfn) => file.shareability(base + pfn - head) !== to);
    const refusal = file.runOp(b, { type: 'convert', page: from, count: end - from, to });
    if (refusal) return refused(refusal);
    for (const pfn of scrub) file.memory.zeroPage(pfn);
  }
  return undefined;
}

/**
 * rfc-v2 (S-V2c kvm_gmem_convert_range, kvm_gmem_convert_should_proceed):
 * items are the runs not at the target. To shared: whole-leaf zap of every
 * item, then split every huge folio they meet, item by item, blocks in
 * order; a failed split rolls back (rollbackSplits) with the zaps kept (K1).
 * To private: per item unmap and refcount check, then clear, record and merge.
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
  for (let k = 0; k < items.length; k++) {
    const start = Math.floor(items[k]!.from / file.blockPages);
    for (const { b } of slices(file, items[k]!)) {
      if (file.block(b).folio.file !== 'huge') continue;
      const rollbackWraps = file.settings.profile.splitRollback === 'merge-item-unconditionally' && start === 0;
      const refusal = file.runPlan(b, [{ type: 'SPLIT', fails: file.splitArmed, rollbackWraps }]);
      if (!refusal) continue;
      if (refusal.errno === NEVER_RETURNS) return hang(`the split of block ${b} failed and the rollback of a work item starting in block 0 never ends (unsigned index >= start: K10)`);
      const rolledBack = rollbackSplits(file, items, k, b);
      if (rolledBack) return rolledBack;
      sim.convertFailure = request;
      return refused(refusal);
    }
  }
  for (const item of items) {
    const refused = record(file, item, to);
    if (refused) throw new Error(`conversion refused after its split: ${refused.kind}`);
  }
  return OK;
}

/**
 * rfc-v2's rollback after the split of block `failed` in item k failed
 * (S-V2c kvm_gmem_restructure_folios_in_range, kvm_gmem_convert_range).
 * Inside the item, `for (index -= N; index >= start; index -= N)` merges
 * every earlier split block with the unconditional
 * kvm_gmem_merge_folio_in_filemap: a block split before the request because
 * it holds a shared page is merged too (K9), and a merge whose sub-folio is
 * host-mapped or pinned spins in filemap_remove_folio_for_restructuring (K10:
 * the folio machine answers both). An item starting in block 0 never gets
 * here: its SPLIT answered that the loop wraps. Then execute_work(!shared)
 * undoes items 0..k: each split all-private block is merged with
 * kvm_gmem_try_merge_folio_in_filemap. Returns the hang, if any.
 */
function rollbackSplits(file: GmemFile, items: ReadonlyArray<Unit>, k: number, failed: number): StepOutcome | undefined {
  const start = Math.floor(items[k]!.from / file.blockPages);
  for (let b = failed - 1; b >= start; b--) {
    if (file.block(b).folio.file !== 'split') continue;
    const referenced = file.block(b).totalPins > 0 || hostMapped(file, b);
    const refusal = file.runPlan(b, [{ type: 'MERGE', pinned: false, unconditional: true, referenced }]);
    if (refusal?.errno === NEVER_RETURNS) return hang(`the rollback merges block ${b} back and spins on its ${file.block(b).totalPins > 0 ? 'pinned' : 'host-mapped'} sub-folio (K10)`);
  }
  for (const item of items.slice(0, k + 1)) {
    for (const { b } of slices(file, item)) {
      if (file.block(b).folio.file === 'split' && file.sharedPagesOf(b) === 0) file.runPlan(b, [{ type: 'MERGE', pinned: file.block(b).totalPins > 0 }]);
    }
  }
  return undefined;
}

/** Some process maps a page of block b. */
function hostMapped(file: GmemFile, b: number): boolean {
  const base = b * file.blockPages;
  for (const pages of file.hostMaps.values()) if (pages.ranges(base, base + file.blockPages).next().done === false) return true;
  return false;
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
 * if pinned. mainline-6.12 (S-ML612 kvm_vm_set_mem_attributes,
 * kvm_arch_pre_set_memory_attributes) takes the same path without the check:
 * the whole range zapped, then recorded; the file's folios stay with their
 * bytes whichever way the page goes. The zap: v13 passes the direction filter, which selects roots
 * (S-MMU kvm_gfn_range_filter_to_root_types): only tdx has mirror roots, so
 * only tdx zaps just the pages that change, and sw-protected and snp every
 * page of the range; v8 zaps the whole range with the union of the range's
 * attributes (S-IP8 kvm_gmem_get_invalidate_filter). Under tdx the
 * conversion leaves contents alone (no invalidate hook outside SEV); the
 * S-EPT decides them (zapPrivateMappings, the accept).
 */
function convertWhole(sim: Simulator, file: GmemFile, range: Unit, to: Shareability): StepOutcome {
  // KVM_SET_MEMORY_ATTRIBUTES never looks at the file: no host unmap, no reference check, never EAGAIN (S-ML612 kvm_vm_set_mem_attributes).
  if (to === 'private' && file.settings.profile.attributes === 'file') {
    unmapHost(file, range.from, range.to);
    const refused = checkToPrivate(file, range);
    if (refused) {
      sim.convertFailure = range;
      return refused;
    }
  }
  const changing = runsNotAt(file, range.from, range.to, to);
  const filtered = file.settings.profile.zapScope === 'direction-filter' && file.settings.vmType === 'tdx';
  const sept = file.settings.vmType === 'tdx' && file.settings.profile.tdxConvertContents === 'sept';
  for (const zap of filtered ? changing : [range]) {
    if (sept) zapPrivateMappings(file, zap, to);
    zapWholeLeaf(file, zap.from, zap.to);
  }
  const refused = record(file, range, to);
  if (refused) {
    sim.convertFailure = range;
    return refused;
  }
  if (sept) {
    // A page made private is zeroed by the guest's accept at its next private fault; one made shared needs none.
    for (const run of changing) {
      for (let p = run.from; p < run.to; p++) {
        if (to === 'private') file.store.acceptPending.add(p);
        else file.store.acceptPending.delete(p);
      }
    }
  }
  return OK;
}

/**
 * tdx: removing a page's private S-EPT mapping clears the page
 * (tdx_sept_remove_private_spte: TDH.MEM.PAGE.REMOVE and page reset, S-TDXk).
 * For a page the conversion makes shared that is the conversion's own
 * zeroing; for a page already private (v8's union filter on a to-private
 * conversion) it destroys the guest's data: K11.
 */
function zapPrivateMappings(file: GmemFile, zap: Unit, to: Shareability): void {
  for (const run of file.guest4k.ranges(zap.from, zap.to)) {
    for (let p = run.from; p < run.to; p++) {
      if (file.shareability(p) !== 'private') continue;
      const changes = to === 'shared';
      zeroPages(file, p, p + 1, 'the removal of a private S-EPT mapping', changes ? { from: p, to: p + 1 } : undefined, changes ? undefined : causedDefect(file.settings.profile, 'zapScope', 'INV-9'));
    }
  }
}
