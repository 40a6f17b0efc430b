/**
 * What fallocate(2) on guest_memfd checks before it allocates
 * (ops/fallocate.ts) or punches (ops/punch-hole.ts): the fd, length 0, the
 * mode, the alignment, in TRACE-FORMAT's order; the alignment is the tree's
 * profile (machines/variant.ts).
 */
import type { GmemFile } from './gmem-file';
import type { Simulator } from './simulator';
import type { StepOutcome } from './outcome';
import { fdFile, isFile } from './file-access';
import { fail } from './outcome';

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
export function fallocateChecks(sim: Simulator, offset: number, length: number, mode: ReadonlyArray<FallocateMode>, wanted: ReadonlyArray<FallocateMode>): GmemFile | StepOutcome {
  const file = fdFile(sim);
  if (!isFile(file)) return file;
  if (length === 0) return fail('EINVAL');
  if (!sameModes(mode, wanted)) return fail('EOPNOTSUPP');
  const align = unit(file);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent; a trace cannot carry a negative offset or length (TRACE-FORMAT Validity refuses it at parse) and length 0 returned above
  if (offset % align !== 0 || length % align !== 0 || offset < 0 || length < 0) return fail('EINVAL');
  return file;
}
