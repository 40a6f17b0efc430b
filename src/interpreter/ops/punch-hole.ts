/**
 * punchHole: fallocate(2) with PUNCH_HOLE | KEEP_SIZE on guest_memfd; the
 * `punchHole` row of the operation table (src/engine/operations.ts). Each
 * tree's punch follows TRACE-FORMAT's shared details and the tree's profile
 * (machines/variant.ts: punch, zapLeaf); which blocks are freed, deferred or
 * refused is the machines' answer.
 */
import type { GmemFile } from '../gmem-file';
import type { Simulator } from '../simulator';
import type { StepOutcome } from '../outcome';
import { zeroPages } from '../content';
import { isFile } from '../file-access';
import type { FallocateMode } from '../fallocate-checks';
import { fallocateChecks } from '../fallocate-checks';
import { OK, refused } from '../outcome';
import { zapSplitLeaf, zapWholeLeaf } from '../stage2';
import { causedDefect } from '../../../machines/expectations';

/** fallocate(PUNCH_HOLE | KEEP_SIZE): at or beyond size 0; else the range, clamped to size, is truncated as the tree does it. */
export function punchHole(sim: Simulator, offset: number, length: number, mode: ReadonlyArray<FallocateMode>): StepOutcome {
  const file = fallocateChecks(sim, offset, length, mode, ['punch-hole', 'keep-size']);
  if (!isFile(file)) return file;
  const size = file.geometry.size;
  if (offset >= size) return OK;
  const first = offset / file.pageSize;
  const last = Math.min(offset + length, size) / file.pageSize;
  if (!file.geometry.hugetlb) return punch4k(file, first, last);
  return file.settings.profile.punch === 'per-block-zero-partial' ? punchPerBlock(file, first, last) : punchAllOrNothing(file, first, last);
}

/** Without HugeTLB: zap, unmap the host, truncate every page; pinned pages live on outside the file (S-ML). */
function punch4k(file: GmemFile, first: number, last: number): StepOutcome {
  zapWholeLeaf(file, first, last);
  unmapHost(file, first, last);
  for (let p = first; p < last; p++) file.runOp(p, { type: 'punchHole' });
  return OK;
}

/**
 * rfc-v2 (S-V2c kvm_gmem_punch_hole, kvm_gmem_zero_range,
 * kvm_gmem_truncate_inode_aligned_pages; S-39): whole-leaf zap, the partial
 * head block zeroed, whole blocks in order (one holding a shared page is
 * unmapped, then EAGAIN if pinned), the partial tail zeroed even after EAGAIN.
 */
function punchPerBlock(file: GmemFile, first: number, last: number): StepOutcome {
  const n = file.blockPages;
  zapWholeLeaf(file, first, last);
  const headBlock = Math.floor(first / n);
  const tailBlock = Math.floor((last - 1) / n);
  const partial = (b: number) => Math.max(first, b * n) !== b * n || Math.min(last, (b + 1) * n) !== (b + 1) * n;
  if (partial(headBlock)) zeroPartial(file, headBlock, first, last);
  let outcome: StepOutcome | undefined;
  for (let b = headBlock; b <= tailBlock && !outcome; b++) {
    if (partial(b)) continue;
    if (file.sharedPagesOf(b) > 0) unmapHost(file, b * n, (b + 1) * n);
    const refusal = file.runOp(b, { type: 'punchHole' });
    if (refusal) outcome = refused(refusal);
  }
  if (tailBlock !== headBlock && partial(tailBlock)) zeroPartial(file, tailBlock, first, last);
  return outcome ?? OK;
}

/** rfc-v2's partial-block zeroing: a huge folio from the block start to the range end (K3), a split block's pages in the range; PTEs and folios stay. */
function zeroPartial(file: GmemFile, b: number, first: number, last: number): void {
  const base = b * file.blockPages;
  const to = Math.min(last, base + file.blockPages);
  const from = file.isHuge(base) ? base : Math.max(first, base);
  zeroPages(file, from, to, 'a partial-block punch', { from: first, to: last }, causedDefect(file.settings.profile, 'punch', 'INV-9'));
}

/**
 * WIP (S-W kvm_gmem_punch_hole, merge_truncate_range(..., true)): zap (tdx-huge-v3:
 * split zap), unmap the host, then one refcount check over the whole range:
 * EAGAIN truncates nothing; else every block is merged and freed.
 */
function punchAllOrNothing(file: GmemFile, first: number, last: number): StepOutcome {
  const n = file.blockPages;
  if (file.settings.profile.zapLeaf === 'split-leaf-to-shared') zapSplitLeaf(file, first, last);
  else zapWholeLeaf(file, first, last);
  unmapHost(file, first, last);
  const blocks: number[] = [];
  for (let b = Math.floor(first / n); b * n < last; b++) blocks.push(b);
  for (const b of blocks) {
    const refusal = file.probe(b, { type: 'punchHole' });
    if (refusal) return refused(refusal);
  }
  for (const b of blocks) {
    const refusal = file.runOp(b, { type: 'punchHole' });
    if (refusal) throw new Error(`punch refused after its check passed: ${refusal.errno}`);
  }
  return OK;
}

function unmapHost(file: GmemFile, from: number, to: number): void {
  for (const pages of file.hostMaps.values()) pages.deleteRange(from, to);
}
