/**
 * What each setting is known to break, in one table: the known kernel
 * defects (DOMAIN 7.3, K1-K11), each keyed by the variant-profile values
 * that cause it (so the trees that show it follow from their profiles), with
 * the VM types it can show under, the invariant it breaks and whether it
 * takes an injected split failure; and the policy alternatives' exposures
 * (DOMAIN 8). `expectViolation` excuses an invariant exactly when this table
 * lists it for the trace's settings (TRACE-FORMAT "Policies"); the walks
 * excuse a violation only when it carries a listed defect; the explorer
 * checks that the breaks it finds are these. No defect id is written
 * anywhere else: the interpreter and the invariants ask `causedDefect`.
 */
import type { InvariantName } from './invariants';
import type { Policy } from './policy';
import { DEFAULT_POLICY } from './policy';
import type { Variant, VariantProfile, VmType } from './variant';
import { profileOf, VARIANTS } from './variant';

export type { InvariantName };

export type DefectId = `K${number}`;

export interface KnownDefect {
  id: DefectId;
  /** the profile values that cause it: every tree whose profile has all of them shows it. */
  cause: Partial<VariantProfile>;
  /** the trees whose profiles have the cause (derived). */
  variants: ReadonlyArray<Variant>;
  /** the VM types it can show under, when not all, and why (a trace excuses it on its variant whatever the VM type). */
  vmTypes?: { only: ReadonlyArray<VmType>; because: string };
  invariant: InvariantName;
  /** needs an `inject split-enomem` step to show. */
  inject: boolean;
  /**
   * the fewest blocks a file needs to show it (default 1): the explorer expects it only in scopes that wide.
   * K1 needs its work item to start in block 1 (from block 0 it is K10); K9 also needs a later block whose split fails.
   */
  minBlocks?: number;
  scenario: string;
  source: string;
  /** the trace in test/traces/ that shows it. */
  trace: string;
}

const DEFECTS: ReadonlyArray<Omit<KnownDefect, 'variants'>> = [
  { id: 'K1', cause: { toSharedOrder: 'zap-then-split' }, invariant: 'INV-12', inject: true, minBlocks: 2, trace: 'k1-rfc-v2-failed-split-loses-mappings', source: 'S-V2c `kvm_gmem_convert_should_proceed` (`kvm_gmem_unmap_private` before `execute_work`)', scenario: 'to-shared zaps private stage-2 before the split; a failed split rolls back shareability and folios, not the mappings (shortest trigger that returns: the work item starts in block 1 or later, else K10)' },
  { id: 'K2', cause: { guestZero: 'whole-folio' }, invariant: 'INV-9', inject: false, trace: 'k2-rfc-v2-merge-uptodate-wipes-shared-data', source: 'S-V2c `kvm_gmem_prepare_folio`; S-V2h `guestmem_hugetlb_merge_folio`', scenario: 'a merge keeps sub-folio 0\'s uptodate; a guest fault then zeroes the whole folio, wiping data written while shared' },
  { id: 'K3', cause: { punch: 'per-block-zero-partial' }, invariant: 'INV-9', inject: false, trace: 'k3-rfc-v2-partial-punch-zeroes-from-block-start', source: 'S-V2c `kvm_gmem_zero_range` (`folio_zero_segment(f, 0, end)`)', scenario: 'a partial-block punch in a huge folio zeroes from the block start, wiping private data before the range' },
  { id: 'K4', cause: { hugetlb: true, mergeOnToPrivate: false }, invariant: 'INV-3', inject: false, trace: 'k4-wip-to-private-never-merges', source: 'S-Y3 cover issue (3); S-Y', scenario: 'to-private never merges: a block made all private stays split' },
  {
    id: 'K5', cause: { guestZero: 'page-0' }, invariant: 'INV-9', inject: false, trace: 'k5-wip-guest-fault-zeroes-page-0-only', source: 'S-W `kvm_gmem_get_pfn` (`clear_highpage(folio_page(folio, 0))`)', scenario: 'a guest fault on a fresh huge folio zeroes page 0 only: the rest shows the previous contents of the reused huge page',
    vmTypes: { only: ['sw-protected'], because: 'the stale bytes come from the huge page\'s previous use, and tdx and snp hand pages back to the pool cleared (DOMAIN 6)' },
  },
  { id: 'K6', cause: { allocSplitFailure: 'keep-huge' }, invariant: 'INV-2', inject: true, trace: 'k6-wip-failed-split-at-allocation-leaves-huge', source: 'S-W `__maybe_split_fresh_folio`', scenario: 'a failed split of a fresh block holding a shared page leaves the huge folio in the file; host faults on it SIGBUS (the retried user fault finds it)' },
  { id: 'K7', cause: { toSharedOrder: 'split-zap-then-split' }, invariant: 'INV-12', inject: true, trace: 'k7-tdx-huge-v3-split-fails-after-zap', source: 'S-Y3, S-Y; [FIXUP] a8aedac2 "Zap mappings before splitting backend folios"', scenario: 'a folio split failing after the zap leaves shareability unchanged and the mappings gone' },
  { id: 'K8', cause: { convertWithoutMmapIsNoop: true }, invariant: 'INV-6', inject: false, trace: 'k8-rfc-v2-convert-without-mmap-is-noop', source: 'S-V2c `kvm_gmem_convert_compute_work`, `kvm_gmem_inode_make_secure_inode`', scenario: 'on a file without SUPPORT_SHARED a conversion returns 0 and records nothing' },
  { id: 'K9', cause: { splitRollback: 'merge-item-unconditionally' }, invariant: 'INV-2', inject: true, minBlocks: 3, trace: 'k9-rfc-v2-rollback-merges-presplit-block', source: 'S-V2c `kvm_gmem_restructure_folios_in_range` (`kvm_gmem_merge_folio_in_filemap` in the rollback)', scenario: 'the split-failure rollback merges every earlier block of the work item unconditionally, one split because it holds a shared page too: ENOMEM with a huge folio behind a shared page' },
  { id: 'K10', cause: { splitRollback: 'merge-item-unconditionally' }, invariant: 'INV-14', inject: true, trace: 'k10-rfc-v2-rollback-from-block-0-never-returns', source: 'S-V2c `kvm_gmem_restructure_folios_in_range` (unsigned `index >= start`; `filemap_remove_folio_for_restructuring`)', scenario: 'the split-failure rollback never returns: the work item starts in block 0 (the unsigned loop wraps), or a block it merges back is host-mapped or pinned (the refcount freeze spins)' },
  {
    id: 'K11', cause: { zapScope: 'unit', tdxConvertContents: 'sept' }, invariant: 'INV-9', inject: false, trace: 'k11-inplace-v8-tdx-mixed-to-private-removes-private-pages', source: 'S-IP8 `kvm_gmem_get_invalidate_filter` (patch 20); S-TDXk `tdx_sept_remove_private_spte`', scenario: 'a to-private conversion of a mixed range zaps with the union of the range\'s attributes, so pages already private leave the S-EPT and lose their data (fixed in v13 by the direction filter)',
    vmTypes: { only: ['tdx'], because: 'only tdx has a mirror root the union filter reaches, and only removing a private S-EPT mapping clears a page (S-MMU, S-TDXk)' },
  },
];

/** Whether a tree's profile has every value of a defect's cause. */
function causes(profile: VariantProfile, cause: Partial<VariantProfile>): boolean {
  return (Object.keys(cause) as Array<keyof VariantProfile>).every((field) => profile[field] === cause[field]);
}

export const KNOWN_DEFECTS: ReadonlyArray<KnownDefect> = DEFECTS.map((d) => ({ ...d, variants: VARIANTS.filter((v) => causes(profileOf(v), d.cause)) }));

/**
 * The defect a tree's `field` value causes that breaks `invariant`, if any:
 * what the interpreter and the invariants tag a violation with when that
 * value's mechanism produced it.
 */
export function causedDefect(profile: VariantProfile, field: keyof VariantProfile, invariant: InvariantName): DefectId | undefined {
  return KNOWN_DEFECTS.find((d) => field in d.cause && d.invariant === invariant && causes(profile, d.cause))?.id;
}

/** The invariants each policy alternative is documented to break (DOMAIN 8; TRACE-FORMAT "Policies"). */
export const POLICY_BREAKS: { [K in keyof Policy]: Partial<Record<Policy[K], ReadonlyArray<InvariantName>>> } = {
  split: { lazy: ['INV-2', 'INV-4'] },
  afterTruncate: { reset: ['INV-6'] },
  restore: { 'inode-held': ['INV-10'] },
  truncateWhilePinned: { defer: [] },
};

/** Each policy of a setting, its chosen alternative, and the invariants that alternative is documented to break (DOMAIN 8). */
export function policyChoices(policy: Policy): Array<{ key: keyof Policy; value: string; breaks: ReadonlyArray<InvariantName> }> {
  return (Object.keys(DEFAULT_POLICY) as Array<keyof Policy>).map((key) => ({
    key,
    value: policy[key],
    breaks: (POLICY_BREAKS[key] as Record<string, ReadonlyArray<InvariantName>>)[policy[key]] ?? [],
  }));
}

/** The invariants the policies of a setting break (DOMAIN 8). */
export function policyBreaks(policy: Policy): Set<InvariantName> {
  return new Set(policyChoices(policy).flatMap((c) => c.breaks));
}

/** The invariants a variant's own defects break, given whether the trace injects a split failure (TRACE-FORMAT "Policies": whatever the VM type). */
export function defectInvariants(variant: Variant, injects: boolean): Set<InvariantName> {
  const out = new Set<InvariantName>();
  for (const d of KNOWN_DEFECTS) if (d.variants.includes(variant) && (injects || !d.inject)) out.add(d.invariant);
  return out;
}

/** The invariants a trace's settings are known to break, which `expectViolation` may excuse (TRACE-FORMAT "Policies"). */
export function excusable(setting: { variant: Variant; policy: Policy }, injects: boolean): Set<InvariantName> {
  return new Set([...policyBreaks(setting.policy), ...defectInvariants(setting.variant, injects)]);
}

/**
 * Stricter than `excusable`, for generated walks: a policy's invariants, or
 * a violation that a known defect of the variant produced (its `defect` tag).
 */
export function excusedInWalk(setting: { variant: Variant; policy: Policy }, injects: boolean): (v: { invariant: InvariantName; defect?: string }) => boolean {
  const policy = policyBreaks(setting.policy);
  const defects = defectInvariants(setting.variant, injects);
  return (v) => policy.has(v.invariant) || (v.defect !== undefined && defects.has(v.invariant));
}

/** The defects a variant shows under a VM type in files of `blocks` blocks (the explorer expects to find exactly these). */
export function defectsShownUnder(variant: Variant, vmType: VmType, blocks: number): KnownDefect[] {
  return KNOWN_DEFECTS.filter((d) => d.variants.includes(variant) && (!d.vmTypes || d.vmTypes.only.includes(vmType)) && (d.minBlocks ?? 1) <= blocks);
}

export interface Expected {
  invariant: InvariantName;
  because: string;
  /** the known defect (DOMAIN 7.3), when a defect is the reason. */
  defect?: DefectId;
}

/** Every invariant a setting is expected to break in files of `blocks` blocks, and why: the explorer's findings are compared with this. */
export function expectedBreaks(setting: { variant: Variant; vmType: VmType; policy: Policy }, blocks: number): Expected[] {
  const out: Expected[] = defectsShownUnder(setting.variant, setting.vmType, blocks).map((d) => ({ invariant: d.invariant, because: `${d.id}${d.inject ? ' (inject)' : ''}`, defect: d.id }));
  for (const { key, value, breaks } of policyChoices(setting.policy)) {
    if (value === DEFAULT_POLICY[key]) continue;
    for (const inv of breaks) out.push({ invariant: inv, because: `${key}: ${value}` });
  }
  return out;
}
