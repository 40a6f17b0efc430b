/**
 * fallocate(2) on guest_memfd: allocate (KEEP_SIZE) and punch hole
 * (PUNCH_HOLE | KEEP_SIZE); settle (the merge worker). Check order, rounding
 * and each tree's punch follow TRACE-FORMAT's shared details and the tree's
 * profile (machines/variant.ts: alignment, punch); which blocks are freed,
 * deferred or refused is the machines' answer.
 */
import type { GmemFile } from './gmem-file';
import type { Simulator } from './simulator';
import type { StepOutcome } from './outcome';
import { zeroPages } from './content';
import { isFile } from './simulator';
import { fail, OK, refused } from './outcome';
import { zapSplitLeaf, zapWholeLeaf } from './stage2';
import { causedDefect } from '../../machines/expectations';

export type FallocateMode = 'keep-size' | 'punch-hole' | 'zero-range' | 'collapse-range' | 'insert-range' | 'unshare-range';

/** Alignment the tree demands of fallocate and punch: blocks for WIP HugeTLB files, pages otherwise (DOMAIN 7.1). */
function unit(file: GmemFile): number {
  return file.settings.profile.alignment === 'block' && file.geometry.hugetlb ? file.blockPages * file.pageSize : file.pageSize;
}

function sameModes(mode: ReadonlyArray<FallocateMode>, wanted: ReadonlyArray<FallocateMode>): boolean {
  const set = new Set(mode);
  return set.size === wanted.length && wanted.every((m) => set.has(m));
}

/** EBADF, length 0, mode, alignment: the checks fallocate and punch share, in TRACE-FORMAT's order. */
function checks(sim: Simulator, offset: number, length: number, mode: ReadonlyArray<FallocateMode>, wanted: ReadonlyArray<FallocateMode>): GmemFile | StepOutcome {
  const file = sim.fdFile();
  if (!isFile(file)) return file;
  if (length === 0) return fail('EINVAL');
  if (!sameModes(mode, wanted)) return fail('EOPNOTSUPP');
  const align = unit(file);
  if (offset % align !== 0 || length % align !== 0 || offset < 0 || length < 0) return fail('EINVAL');
  return file;
}

/** fallocate(KEEP_SIZE): allocates whole blocks, splitting those that hold a shared page; never zeroes (S-ML, S-W, S-V2c). */
export function fallocate(sim: Simulator, offset: number, length: number, mode: ReadonlyArray<FallocateMode>): StepOutcome {
  const file = checks(sim, offset, length, mode, ['keep-size']);
  if (!isFile(file)) return file;
  if (offset + length > file.geometry.size) return fail('EINVAL');
  const blockBytes = file.blockPages * file.pageSize;
  let start = offset;
  let end = offset + length;
  if (file.settings.profile.alignment === 'page-round-down' && file.geometry.hugetlb) {
    // rfc-v2 rounds start and end down to the block: an unaligned tail is not allocated (S-V2c kvm_gmem_fallocate).
    start = Math.floor(start / blockBytes) * blockBytes;
    end = Math.floor(end / blockBytes) * blockBytes;
  }
  for (let b = Math.floor(start / blockBytes); b * blockBytes < end; b++) {
    const refusal = file.runOp(b, { type: 'fallocate' });
    if (refusal) return refused(refusal); // blocks before it stay allocated
  }
  return OK;
}

/** fallocate(PUNCH_HOLE | KEEP_SIZE): at or beyond size 0; else the range, clamped to size, is truncated as the tree does it. */
export function punchHole(sim: Simulator, offset: number, length: number, mode: ReadonlyArray<FallocateMode>): StepOutcome {
  const file = checks(sim, offset, length, mode, ['punch-hole', 'keep-size']);
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

/** Runs deferred work until none is left: the merge worker returns every mergeable block whole (S-V2h). */
export function settle(sim: Simulator): StepOutcome {
  const file = sim.file;
  if (!file) return { kind: 'nofile' };
  file.forEveryBlock({ type: 'settle' }, () => undefined);
  return OK;
}
