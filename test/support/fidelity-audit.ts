/**
 * The fidelity audit's findings (../shared/research/fidelity-audit.md,
 * D1-D17), each with the traces in test/traces/ that pin the kernel's answer
 * and the kernel function it follows. test/fidelity.test.ts holds the table
 * to the traces; docs/DOMAIN.md prints it.
 */
export interface AuditFinding {
  id: `D${number}`;
  /** trace names (test/traces/<name>.json). */
  traces: string[];
  /** the tag and kernel function the traces' expectations follow. */
  kernel: string;
}

export const AUDIT_FINDINGS: ReadonlyArray<AuditFinding> = [
  { id: 'D1', traces: ['wip-split-before-zap', 'k4-wip-to-private-never-merges', 'k7-tdx-huge-v3-split-fails-after-zap'], kernel: 'S-W `__kvm_gmem_set_attributes` (split, then zap; no merge on to-private); S-W2 with [FIXUP] a8aedac2 (zap, then split)' },
  { id: 'D2', traces: ['wip-2025-12-punch-all-or-nothing', 'tdx-huge-v3-punch-all-or-nothing'], kernel: 'S-W `kvm_gmem_punch_hole` -> `merge_truncate_range(inode, start, len >> PAGE_SHIFT, true)`' },
  { id: 'D3', traces: ['wip-4k-file-converts-in-one-batch'], kernel: 'S-W `__kvm_gmem_set_attributes` (`batch_size = i_size >> PAGE_SHIFT` without HugeTLB)' },
  { id: 'D4', traces: ['close-with-pins-deferred-merge', 'wip-evict-one-pin-stops-every-merge'], kernel: 'S-V2c `kvm_gmem_evict_inode` (`mapping_exiting` -> `kvm_gmem_truncate_indices`); S-W `kvm_gmem_evict_inode` -> `merge_truncate_range(inode, 0, size, false)`' },
  { id: 'D5', traces: ['k1-rfc-v2-failed-split-loses-mappings'], kernel: 'S-V2c `kvm_gmem_convert_should_proceed` (`kvm_gmem_unmap_private` before `execute_work`)' },
  { id: 'D6', traces: ['conversion-roundtrip-sw-protected', 'one-gib-pages'], kernel: 'S-V2c `kvm_gmem_convert_should_proceed` (whole-leaf zap; no `kvm_split_cross_boundary_leafs` before S-Y3 16)' },
  { id: 'D7', traces: ['k2-rfc-v2-merge-uptodate-wipes-shared-data', 'k5-wip-guest-fault-zeroes-page-0-only'], kernel: 'S-V2c `kvm_gmem_prepare_folio` (`folio_zero_user`), S-V2h `guestmem_hugetlb_merge_folio`; S-W `kvm_gmem_get_pfn` (`clear_highpage(folio_page(folio, 0))`)' },
  { id: 'D8', traces: ['k3-rfc-v2-partial-punch-zeroes-from-block-start', 'rfc-v2-partial-punch-keeps-host-ptes', 'rfc-v2-zero-length-and-partial-punch'], kernel: 'S-V2c `kvm_gmem_zero_range` (`folio_zero_segment(f, 0, offset_in_folio(f, end))`, no host unmap)' },
  { id: 'D9', traces: ['rfc-v2-zero-length-and-partial-punch'], kernel: 'S-V2c `kvm_gmem_convert_range` (size 0 returns 0 before the checks)' },
  { id: 'D10', traces: ['wip-to-private-zaps-whole-batch'], kernel: 'S-W `__kvm_gmem_set_attributes` (zap of the whole batch range)' },
  { id: 'D11', traces: ['st-tdx-huge-v3-tdx-private-and-shared', 'st-wip-2025-12-tdx-private-and-shared'], kernel: 'upstream `tdx_gmem_private_max_mapping_level` (4K); S-Y3 06/24 "Disallow page merging (huge page adjustment) for mirror root"' },
  { id: 'D12', traces: ['enomem-is-vm-fault-oom'], kernel: 'S-ML `kvm_gmem_fault_user_mapping` (`vmf_error(-ENOMEM)` = VM_FAULT_OOM; GUP -ENOMEM)' },
  { id: 'D13', traces: ['k6-wip-failed-split-at-allocation-leaves-huge', 'rfc-v2-split-failure-at-allocation'], kernel: 'S-W `__maybe_split_fresh_folio` (after `inode_add_bytes`); S-V2c `kvm_gmem_get_folio` (goto err)' },
  { id: 'D14', traces: ['lifetime-rfc-v2-closefd-then-munmap-evicts', 'lifetime-inplace-v13-closefd-then-munmap-evicts', 'lifetime-unbind-then-close'], kernel: 'S-ML `kvm_gmem_release`, `kvm_gmem_bind` (the file pins KVM; VMAs hold the file)' },
  { id: 'D15', traces: ['close-with-pins-deferred-merge', 'st-rfc-v2-2m-close-with-pinning', 'st-rfc-v2-1g-close-with-pinning'], kernel: 'S-MM `unlock_or_release_subpool` (released only when `used_hpages == 0`)' },
  { id: 'D16', traces: ['k8-rfc-v2-convert-without-mmap-is-noop'], kernel: 'S-V2c `kvm_gmem_convert_compute_work`, `kvm_gmem_inode_make_secure_inode` (SUPPORT_SHARED / INIT_PRIVATE)' },
  { id: 'D17', traces: ['conversion-zeroes-snp'], kernel: '[model] DOMAIN 6: snp as tdx (firmware-defined; content modes dropped in S-IP6)' },
];
