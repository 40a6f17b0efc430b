/**
 * What a simulator is made with: the tree (variant), the VM type, the page
 * and huge page sizes, the HugeTLB pool and the policies, and the seeded
 * bugs tests inject. Shared by the simulator, the file and every caller
 * that builds one, so none of them needs the simulator to name its settings.
 */
import type { Policy, Variant, VmType } from '../../machines/policy';
import { DEFAULT_POLICY } from '../../machines/policy';
import { profileOf } from '../../machines/variant';

/**
 * Seeded bugs, for proving that the generated tests bite: each one breaks
 * the model where a real tree could go wrong. Injected through the
 * configuration by tests only.
 */
export const FAULTS = [
  'lazy-split',
  'merge-without-refcount-check',
  'punch-resets-shareability',
  'piecemeal-pool-return',
  'to-private-forgets-other-processes',
  'no-zero-on-first-fault',
  'stale-huge-guest-mapping',
] as const;
export type FaultName = (typeof FAULTS)[number];

export interface SimConfig {
  /** seeded bugs to inject (tests only). */
  faults?: ReadonlyArray<FaultName>;
  variant: Variant;
  vmType: VmType;
  pageSize: number;
  hugePageSize: number;
  poolHugePages: number;
  policy: Policy;
}

export function defaultConfig(partial: Omit<Partial<SimConfig>, 'policy'> & { policy?: Partial<Policy> } = {}): SimConfig {
  const variant = partial.variant ?? 'rfc-v2';
  const pageSize = partial.pageSize ?? 4096;
  return {
    variant,
    vmType: partial.vmType ?? 'sw-protected',
    pageSize,
    hugePageSize: partial.hugePageSize ?? (profileOf(variant).hugetlb ? 2 * 1024 * 1024 : pageSize),
    poolHugePages: partial.poolHugePages ?? 0,
    policy: { ...DEFAULT_POLICY, ...partial.policy },
  };
}
