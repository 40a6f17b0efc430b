/**
 * fallocate: fallocate(2) with KEEP_SIZE on guest_memfd, which allocates
 * whole blocks; the `fallocate` row of the operation table
 * (src/engine/operations.ts). Rounding follows the tree's profile
 * (machines/variant.ts: alignment); which blocks are allocated or refused is
 * the machines' answer.
 */
import type { Simulator } from '../simulator';
import type { StepOutcome } from '../outcome';
import { isFile } from '../file-access';
import type { FallocateMode } from '../fallocate-checks';
import { fallocateChecks } from '../fallocate-checks';
import { fail, OK, refused } from '../outcome';

/** fallocate(KEEP_SIZE): allocates whole blocks, splitting those that hold a shared page; never zeroes (S-ML, S-W, S-V2c). */
export function fallocate(sim: Simulator, offset: number, length: number, mode: ReadonlyArray<FallocateMode>): StepOutcome {
  const file = fallocateChecks(sim, offset, length, mode, ['keep-size']);
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
