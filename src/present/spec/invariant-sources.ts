/**
 * Where each invariant comes from: the DOMAIN sections that state the rule it
 * checks, and the kernel code (source tag and function) that keeps it where
 * DOMAIN names that code. DOMAIN 9 defines every invariant; the glosses in
 * machines/invariants.ts cite nothing, so the documents cite these.
 */
import type { InvariantName } from '../../../machines/invariants';

export const INVARIANT_SOURCES: Record<InvariantName, string> = {
  'INV-1': 'DOMAIN 9; DOMAIN 4 (host access, convert to private); S-ML `kvm_gmem_fault_user_mapping`',
  'INV-2': 'DOMAIN 9; DOMAIN 3, DOMAIN 4 (a to-shared conversion splits); S-V2h `guestmem_hugetlb_split_folio`, S-W `__maybe_split_fresh_folio`',
  'INV-3': 'DOMAIN 9; DOMAIN 4 (a block made all private merges where the tree does); S-V2h `guestmem_hugetlb_merge_folio`',
  'INV-4': 'DOMAIN 9; DOMAIN 7.2 (stage-2 level); S-KVM `kvm_mmu_page_fault`',
  'INV-5': 'DOMAIN 9; DOMAIN 3 (the allocator wrapper returns blocks whole); S-V2h, S-W',
  'INV-6': 'DOMAIN 9; DOMAIN 3 (shareability independent of allocation); S-IPt, S-V2t',
  'INV-7': 'DOMAIN 9; DOMAIN 3 (shareability defined for every page of the file)',
  'INV-8': 'DOMAIN 9; DOMAIN 4 (convert to private, punch hole and pins refuse with EAGAIN)',
  'INV-9': 'DOMAIN 9; DOMAIN 6 (contents); S-V2c `kvm_gmem_prepare_folio`, S-W `kvm_gmem_get_pfn`, S-TDXk `tdx_sept_remove_private_spte`',
  'INV-10': 'DOMAIN 9; DOMAIN 10 (pool counters); S-V2h, S-Wh `gmem_hugetlb_setup`, S-MM `unlock_or_release_subpool`',
  'INV-11': 'DOMAIN 9; DOMAIN 7.4 (st_blocks, `inode_add_bytes`)',
  'INV-12': 'DOMAIN 9; DOMAIN 4 (convert: the unit that fails, the order of zap and split); S-V2c `kvm_gmem_convert_should_proceed`',
  'INV-13': 'DOMAIN 9; DOMAIN 3 (restructuring metadata keyed by physical page); S-V2h `guestmem_hugetlb_split_folio`',
  'INV-14': 'DOMAIN 9; DOMAIN 4 (every operation holds `filemap_invalidate_lock`), DOMAIN 7.1 (the rollbacks that never return); TRACE-FORMAT expect (`"HANG"`)',
};
