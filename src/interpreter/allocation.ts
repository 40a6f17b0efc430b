/**
 * fallocate(2) on guest_memfd: allocate (KEEP_SIZE) and punch hole
 * (PUNCH_HOLE | KEEP_SIZE); close (evict) and settle (the merge worker).
 * Check order and rounding follow TRACE-FORMAT's shared details; which
 * blocks are freed, deferred or refused is the machines' answer.
 */
import type { GmemFile } from './gmem-file';
import type { Simulator, StepOutcome } from './simulator';
import { deleteRange } from './page-sets';
import { fail, isFile, OK } from './simulator';

export type FallocateMode = 'keep-size' | 'punch-hole' | 'zero-range' | 'collapse-range' | 'insert-range' | 'unshare-range';

/** Alignment the variant demands of fallocate and punch: blocks in wip-2025-12, pages otherwise (DOMAIN 7). */
function unit(file: GmemFile): number {
  return file.settings.variant === 'wip-2025-12' ? file.blockPages * file.pageSize : file.pageSize;
}

function sameModes(mode: ReadonlyArray<FallocateMode>, wanted: ReadonlyArray<FallocateMode>): boolean {
  const set = new Set(mode);
  return set.size === wanted.length && wanted.every((m) => set.has(m));
}

/** fallocate(KEEP_SIZE): allocates whole blocks, splitting those that hold a shared page; never zeroes (S-ML, S-W, S-V2c). */
export function fallocate(sim: Simulator, offset: number, length: number, mode: ReadonlyArray<FallocateMode>): StepOutcome {
  const file = sim.openFile();
  if (!isFile(file)) return file;
  if (length === 0) return fail('EINVAL');
  if (!sameModes(mode, ['keep-size'])) return fail('EOPNOTSUPP');
  const align = unit(file);
  if (offset % align !== 0 || length % align !== 0 || offset < 0 || length < 0) return fail('EINVAL');
  if (offset + length > file.geometry.size) return fail('EINVAL');
  const blockBytes = file.blockPages * file.pageSize;
  let start = offset;
  let end = offset + length;
  if (file.settings.variant === 'rfc-v2' && file.geometry.hugetlb) {
    // rfc-v2 rounds start and end down to the block: an unaligned tail is not allocated (DOMAIN 4).
    start = Math.floor(start / blockBytes) * blockBytes;
    end = Math.floor(end / blockBytes) * blockBytes;
  }
  for (let b = Math.floor(start / blockBytes); b * blockBytes < end; b++) {
    const refusal = file.runOp(b, { type: 'fallocate' });
    if (refusal) return fail(refusal.errno); // blocks before it stay allocated
  }
  return OK;
}

/**
 * fallocate(PUNCH_HOLE | KEEP_SIZE): unmaps the range from host and guest,
 * then truncates block by block; a pinned split block refuses (EAGAIN, no
 * error offset) and blocks before it stay truncated. rfc-v2 zeroes a partial
 * block in place (S-V2g, S-39, S-W).
 */
export function punchHole(sim: Simulator, offset: number, length: number, mode: ReadonlyArray<FallocateMode>): StepOutcome {
  const file = sim.openFile();
  if (!isFile(file)) return file;
  if (length === 0) return fail('EINVAL');
  if (!sameModes(mode, ['punch-hole', 'keep-size'])) return fail('EOPNOTSUPP');
  const align = unit(file);
  if (offset % align !== 0 || length % align !== 0 || offset < 0 || length < 0) return fail('EINVAL');
  const size = file.geometry.size;
  if (offset >= size) return OK;
  const end = Math.min(offset + length, size);
  const first = offset / file.pageSize;
  const last = end / file.pageSize;
  for (const pages of file.hostMaps.values()) deleteRange(pages, first, last);
  const blockPages = file.blockPages;
  for (let b = Math.floor(first / blockPages); b * blockPages < last; b++) {
    const from = Math.max(first, b * blockPages);
    const to = Math.min(last, (b + 1) * blockPages);
    if (to - from === blockPages) {
      dropGuestRange(file, b, from, to);
      const refusal = file.runOp(b, { type: 'punchHole' });
      if (refusal) return fail(refusal.errno);
    } else {
      zeroInPlace(sim, file, b, from, to);
    }
  }
  return OK;
}

/** rfc-v2 partial-block punch: the bytes are zeroed, those pages lose their mappings, the folio stays (S-V2g). */
function zeroInPlace(sim: Simulator, file: GmemFile, b: number, from: number, to: number): void {
  dropGuestRange(file, b, from, to);
  const head = file.pfn(b * file.blockPages);
  if (head === undefined) return;
  const base = b * file.blockPages;
  for (const pfn of sim.memory.framesIn(head + from - base, head + to - base)) sim.memory.zeroPage(pfn);
}

/** Drops guest mappings of [from, to); a huge mapping over the block becomes 4K mappings on its other pages. */
function dropGuestRange(file: GmemFile, b: number, from: number, to: number): void {
  const block = file.blocks[b]!;
  const base = b * file.blockPages;
  if (block.guestHuge) {
    block.guestHuge = false;
    for (let p = base; p < base + file.blockPages; p++) if (p < from || p >= to) file.guest4k.add(p);
  }
  deleteRange(file.guest4k, from, to);
}

/**
 * The last reference goes: every mapping is dropped and everything truncated
 * without waiting for pins (pinned split blocks go to the allocator wrapper,
 * or stay with the inode under restore=inode-held); then the subpool's
 * remaining reservation is released (S-V2c, S-W).
 */
export function close(sim: Simulator): StepOutcome {
  const file = sim.openFile();
  if (!isFile(file)) return file;
  file.hostMaps.clear();
  file.guest4k.clear();
  for (const block of file.blocks) block.guestHuge = false;
  for (let b = 0; b < file.nBlocks; b++) {
    const refusal = file.runOp(b, { type: 'close' });
    if (refusal) throw new Error(`eviction refused: ${refusal.errno}`);
  }
  file.fdOpen = false;
  if (!file.inodeAlive) {
    sim.pool.unreserve(file.reservation);
    file.reservation = 0;
  }
  return OK;
}

/** Runs deferred work until none is left: the merge worker returns every mergeable block whole (S-V2h). */
export function settle(sim: Simulator): StepOutcome {
  const file = sim.file;
  if (!file) return { kind: 'nofile' };
  for (let b = 0; b < file.nBlocks; b++) file.runOp(b, { type: 'settle' });
  return OK;
}
