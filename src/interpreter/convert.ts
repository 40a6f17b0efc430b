/**
 * KVM_SET_MEMORY_ATTRIBUTES2 (RFC v2 KVM_GMEM_CONVERT_*): set the
 * shareability of a page range (S-IP8, S-V2c, S-W, S-SC).
 *
 * The unit that fails or commits is the whole request in rfc-v2 and
 * inplace-v8, a block in wip-2025-12 (a page on a 4K file). Within a unit the
 * machines are asked first, without changing anything (the refcount check,
 * the split), then the unit commits through the same plans. Contents follow
 * the VM type (DOMAIN 6).
 */
import type { Shareability } from '../../machines/policy';
import type { GmemFile } from './gmem-file';
import type { Simulator, StepOutcome } from './simulator';
import { deleteRange } from './page-sets';
import { fail, isFile, OK } from './simulator';

interface Unit {
  /** pages [from, to) of the file. */
  from: number;
  to: number;
}

export function convert(sim: Simulator, offset: number, length: number, to: Shareability): StepOutcome {
  const file = sim.openFile();
  if (!isFile(file)) return file;
  const { pageSize, size } = file.geometry;
  const { variant } = file.settings;
  if (offset % pageSize !== 0 || length % pageSize !== 0 || offset < 0 || length < 0) return fail('EINVAL');
  if (offset + length > size || !Number.isSafeInteger(offset + length)) return fail('EINVAL');
  if (length === 0) return variant === 'rfc-v2' ? OK : fail('EINVAL');
  const first = offset / pageSize;
  const end = (offset + length) / pageSize;
  sim.convertFailure = undefined;
  if (allAt(file, first, end, to)) return OK; // already there: no unmap, no refcount check (TRACE-FORMAT convert)

  const perBlock = variant === 'wip-2025-12';
  const units: Unit[] = perBlock ? blocksOf(file, first, end) : [{ from: first, to: end }];
  if (to === 'private' && !perBlock) unmapHost(file, first, end);
  for (const unit of units) {
    if (to === 'private' && perBlock) unmapHost(file, unit.from, unit.to);
    const refused = to === 'private' ? checkToPrivate(file, unit) : checkToShared(file, unit);
    if (refused) {
      sim.convertFailure = unit;
      return refused;
    }
    commit(sim, file, unit, to);
  }
  return OK;
}

function allAt(file: GmemFile, from: number, to: number, target: Shareability): boolean {
  for (let p = from; p < to; p++) if (file.shareability(p) !== target) return false;
  return true;
}

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
 * The refcount check, asked of the machines for every block of the unit
 * before anything commits: EAGAIN with error_offset at the failing page of a
 * split block, or max(start, block start) for a huge folio (S-V2c, S-IP8).
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

/**
 * Splits before anything commits. rfc-v2 splits first and rolls back on
 * ENOMEM; wip-2025-12 zaps the block's stage-2 mappings first, so a failed
 * split leaves them gone (the INV-12 defect; S-SC, S-Y).
 */
function checkToShared(file: GmemFile, unit: Unit): StepOutcome | undefined {
  for (const { b, from, to } of slices(file, unit)) {
    if (file.facts(b).sharedPagesIn(from, to) === to - from) continue;
    const refusal = file.probe(b, { type: 'convert', page: from, count: to - from, to: 'shared' });
    if (!refusal) continue;
    if (file.settings.variant === 'wip-2025-12') zapToShared(file, b, from, to);
    // Run it for real: it stops at the same refusal and applies what that names (the failure disarms).
    file.runOp(b, { type: 'convert', page: from, count: to - from, to: 'shared' });
    return fail(refusal.errno);
  }
  return undefined;
}

function commit(sim: Simulator, file: GmemFile, unit: Unit, to: Shareability): void {
  for (const { b, from, to: end } of slices(file, unit)) {
    const base = b * file.blockPages;
    // tdx and snp firmware scrub the pages whose shareability changes (DOMAIN 6); unwritten ones read zero already.
    const head = file.pfn(base);
    const scrub = file.settings.vmType === 'sw-protected' || head === undefined
      ? []
      : sim.memory.framesIn(head + from, head + end).filter((pfn) => file.shareability(base + pfn - head) !== to);
    if (to === 'shared') zapToShared(file, b, from, end);
    else zapRange(file, base + from, base + end);
    const refusal = file.runOp(b, { type: 'convert', page: from, count: end - from, to });
    if (refusal) throw new Error(`conversion refused after its check passed: ${refusal.errno}`);
    for (const pfn of scrub) sim.memory.zeroPage(pfn);
  }
}

/** A to-shared zap: a huge mapping crossing the range becomes 4K mappings outside it; the range is cleared. */
function zapToShared(file: GmemFile, b: number, from: number, to: number): void {
  const block = file.blocks[b]!;
  const base = b * file.blockPages;
  if (file.settings.faults.has('stale-huge-guest-mapping')) return;
  if (block.guestHuge) {
    block.guestHuge = false;
    for (let i = 0; i < file.blockPages; i++) if (i < from || i >= to) file.guest4k.add(base + i);
  }
  zapRange(file, base + from, base + to);
}

function zapRange(file: GmemFile, from: number, to: number): void {
  deleteRange(file.guest4k, from, to);
}
