/**
 * create: KVM_CREATE_GUEST_MEMFD, the file and its pool reservation; the
 * `create` row of the operation table (src/engine/operations.ts). Its
 * refusal rules and the file it makes are exported for the callers that
 * build a file without running the step (replay's pool check, the state codec).
 */
import type { Errno } from '../../../machines/outcome';
import type { CreateFlag } from '../../../machines/variant';
import { profileOf } from '../../../machines/variant';
import type { SimConfig } from '../config';
import type { FileGeometry, FileSettings } from '../file-parts';
import { GmemFile } from '../gmem-file';
import type { StepOutcome } from '../outcome';
import { fail, OK } from '../outcome';
import type { Simulator } from '../simulator';

/** Why create refuses, in TRACE-FORMAT's order: size, then the tree's flag rules; ENOMEM is the pool's. */
export function createRefusal(config: Pick<SimConfig, 'variant' | 'pageSize' | 'hugePageSize'>, size: number, flags: ReadonlyArray<CreateFlag>): Errno | undefined {
  const { pageSize, hugePageSize } = config;
  const profile = profileOf(config.variant);
  const hugetlb = flags.includes('hugetlb');
  if (size <= 0 || size % pageSize !== 0) return 'EINVAL';
  if (hugetlb && hugePageSize > pageSize && size % hugePageSize !== 0) return 'EINVAL';
  // A flag the tree does not know is EINVAL (S-ML612 kvm_gmem_create: `flags & ~valid_flags`, valid_flags 0).
  if (flags.some((f) => !profile.createFlags.includes(f))) return 'EINVAL';
  if (hugetlb && (hugePageSize <= pageSize || !profile.hugetlb)) return 'EINVAL';
  if (hugetlb && flags.includes('init-shared') && profile.hugetlbRefusesInitShared) return 'EINVAL';
  if (flags.includes('init-shared') && !flags.includes('mmap') && profile.initSharedNeedsMmap) return 'EINVAL';
  return undefined;
}

/** The shape and settings of the file a create that createRefusal lets through makes. */
export function newFileOf(config: SimConfig, size: number, flags: ReadonlyArray<CreateFlag>): { geometry: FileGeometry; settings: FileSettings } {
  const { pageSize, hugePageSize, variant } = config;
  const hugetlb = flags.includes('hugetlb');
  return {
    geometry: { size, pageSize, blockPages: hugetlb ? hugePageSize / pageSize : 1, hugetlb, mmap: flags.includes('mmap'), initShared: flags.includes('init-shared') },
    settings: { variant, profile: profileOf(variant), vmType: config.vmType, policy: config.policy, faults: new Set(config.faults ?? []) },
  };
}

/** KVM_CREATE_GUEST_MEMFD: checks size, then the variant's flag rules, then reserves the pool and charges the cgroup (S-ML, S-V2h, S-Wh gmem_hugetlb_setup). */
export function create(sim: Simulator, size: number, flags: ReadonlyArray<CreateFlag>): StepOutcome {
  const refusal = createRefusal(sim.config, size, flags);
  if (refusal) return fail(refusal);
  const { geometry, settings } = newFileOf(sim.config, size, flags);
  const blocks = size / geometry.pageSize / geometry.blockPages;
  if (geometry.hugetlb && sim.pool.unreserved < blocks) return fail('ENOMEM');
  if (geometry.hugetlb) {
    sim.pool.reserve(blocks);
    sim.pool.cgroupRsvd += blocks;
  }
  // A new file holds no folio, so none needs a copy.
  sim.file = new GmemFile(GmemFile.initial(geometry, settings, sim.pool), sim.pool, sim.memory, (folio) => folio);
  return OK;
}
