/**
 * The known kernel defects (DOMAIN 7.3, K1-K8) as data: which variant shows
 * each, which invariant it breaks, and whether it takes an injected split
 * failure to show. `expectViolation` excuses a variant's invariant exactly
 * when this table lists it (TRACE-FORMAT "Policies"); the explorer checks
 * that the breaks it finds are these.
 */
import type { Variant } from './variant';

/** An invariant's name as DOMAIN 9 gives it (src/invariants.ts checks them). */
export type InvariantName = `INV-${number}`;

export interface KnownDefect {
  id: `K${number}`;
  variants: ReadonlyArray<Variant>;
  invariant: InvariantName;
  /** needs an `inject split-enomem` step to show. */
  inject: boolean;
  scenario: string;
  source: string;
  /** the trace in test/traces/ that shows it. */
  trace: string;
}

export const KNOWN_DEFECTS: ReadonlyArray<KnownDefect> = [
  { id: 'K1', variants: ['rfc-v2'], invariant: 'INV-12', inject: true, trace: 'k1-rfc-v2-failed-split-loses-mappings', source: 'S-V2c `kvm_gmem_convert_should_proceed` (`kvm_gmem_unmap_private` before `execute_work`)', scenario: 'to-shared zaps private stage-2 before the split; a failed split rolls back shareability and folios, not the mappings' },
  { id: 'K2', variants: ['rfc-v2'], invariant: 'INV-9', inject: false, trace: 'k2-rfc-v2-merge-uptodate-wipes-shared-data', source: 'S-V2c `kvm_gmem_prepare_folio`; S-V2h `guestmem_hugetlb_merge_folio`', scenario: 'a merge keeps sub-folio 0\'s uptodate; a guest fault then zeroes the whole folio, wiping data written while shared' },
  { id: 'K3', variants: ['rfc-v2'], invariant: 'INV-9', inject: false, trace: 'k3-rfc-v2-partial-punch-zeroes-from-block-start', source: 'S-V2c `kvm_gmem_zero_range` (`folio_zero_segment(f, 0, end)`)', scenario: 'a partial-block punch in a huge folio zeroes from the block start, wiping private data before the range' },
  { id: 'K4', variants: ['wip-2025-12'], invariant: 'INV-3', inject: false, trace: 'k4-wip-to-private-never-merges', source: 'S-Y3 cover issue (3); S-Y', scenario: 'to-private never merges: a block made all private stays split' },
  { id: 'K5', variants: ['wip-2025-12', 'tdx-huge-v3'], invariant: 'INV-9', inject: false, trace: 'k5-wip-guest-fault-zeroes-page-0-only', source: 'S-W `kvm_gmem_get_pfn` (`clear_highpage(folio_page(folio, 0))`)', scenario: 'a guest fault on a fresh huge folio zeroes page 0 only: the rest shows the previous contents of the reused huge page' },
  { id: 'K6', variants: ['wip-2025-12', 'tdx-huge-v3'], invariant: 'INV-2', inject: true, trace: 'k6-wip-failed-split-at-allocation-leaves-huge', source: 'S-W `__maybe_split_fresh_folio`', scenario: 'a failed split of a fresh block holding a shared page leaves the huge folio in the file; host faults on it SIGBUS' },
  { id: 'K7', variants: ['tdx-huge-v3'], invariant: 'INV-12', inject: true, trace: 'k7-tdx-huge-v3-split-fails-after-zap', source: 'S-Y3, S-Y; [FIXUP] a8aedac2 "Zap mappings before splitting backend folios"', scenario: 'a folio split failing after the zap leaves shareability unchanged and the mappings gone' },
  { id: 'K8', variants: ['rfc-v2'], invariant: 'INV-6', inject: false, trace: 'k8-rfc-v2-convert-without-mmap-is-noop', source: 'S-V2c `kvm_gmem_convert_compute_work`, `kvm_gmem_inode_make_secure_inode`', scenario: 'on a file without SUPPORT_SHARED a conversion returns 0 and records nothing' },
];

/** The invariants a variant's own defects break, given whether the trace injects a split failure. */
export function defectInvariants(variant: Variant, injects: boolean): Set<InvariantName> {
  const out = new Set<InvariantName>();
  for (const d of KNOWN_DEFECTS) if (d.variants.includes(variant) && (injects || !d.inject)) out.add(d.invariant);
  return out;
}
