/**
 * The kernel trees the model carries (DOMAIN 7.1, 7.2), as data: one profile
 * per variant, one field per row of the table "where the variants differ".
 * The plans, the folio machine's input and the interpreter read these fields;
 * nothing else in the project may ask which variant it is. A reviewer reads
 * each tree's choices here, and SPEC.md's table is generated from
 * VARIANTS x PROFILE_FIELDS.
 */
/** The VM types (DOMAIN 6): what the firmware does with contents and mapping levels. */
export const VM_TYPES = ['sw-protected', 'tdx', 'snp'] as const;
export type VmType = (typeof VM_TYPES)[number];

export const VARIANTS = ['rfc-v2', 'wip-2025-12', 'tdx-huge-v3', 'inplace-v13', 'inplace-v8', 'mainline-6.12'] as const;
export type Variant = (typeof VARIANTS)[number];

/** The flags a trace's `create` may name (TRACE-FORMAT create). */
export const CREATE_FLAGS = ['mmap', 'init-shared', 'hugetlb'] as const;
export type CreateFlag = (typeof CREATE_FLAGS)[number];

/** The widest stage-2 leaf a private guest fault may install, per VM type. */
export type Stage2Level =
  /** a whole block, replacing 4k leaves (TDP MMU). */
  | 'huge'
  /** a whole block of at most 2 MiB; larger blocks map 4k. */
  | 'huge-2m'
  /** a block of at most 2 MiB, but never once the block had a private 4k mapping or a split leaf. */
  | 'huge-2m-no-promotion'
  | '4k';

export interface VariantProfile {
  /** a one-line name of the tree. */
  tree: string;
  /** the VM types the tree runs (a trace with another is invalid input, `$.config.vmType`). */
  vmTypes: ReadonlyArray<VmType>;
  /** the create flags the tree knows; any other is EINVAL (`hugetlb` also needs `hugetlb` below). */
  createFlags: ReadonlyArray<CreateFlag>;
  hugetlb: boolean;
  /** `init-shared` on a file without `mmap` is EINVAL. */
  initSharedNeedsMmap: boolean;
  /** `hugetlb` together with `init-shared` is EINVAL. */
  hugetlbRefusesInitShared: boolean;
  /** a conversion on a file without `mmap` returns 0 and records nothing (K8). */
  convertWithoutMmapIsNoop: boolean;
  /** convert with length 0: returns 0 before any other check, or EINVAL. */
  convertLengthZero: 'ok-first' | 'EINVAL';
  /** the unit that checks, commits and fails together. */
  convertUnit: 'runs' | 'block-batches' | 'whole-range';
  /** to-shared: where the stage-2 zap sits against the folio split. */
  toSharedOrder: 'zap-then-split' | 'split-then-zap' | 'split-zap-then-split' | 'zap-only';
  /**
   * which guest mappings a conversion clears: the runs that change, the whole
   * unit, or the unit through the direction filter, which narrows the zap only
   * where the VM has mirror roots (tdx: the pages that change; S-MMU).
   */
  zapScope: 'changing-runs' | 'unit' | 'direction-filter';
  /** a huge leaf meeting the zap: cleared whole, or (to shared) split to 4k first. */
  zapLeaf: 'whole-leaf' | 'split-leaf-to-shared';
  /**
   * a failed to-shared split: rfc-v2 merges the work item's earlier blocks
   * back unconditionally (S-V2c kvm_gmem_restructure_folios_in_range: K9,
   * K10); the other trees keep what earlier batches did.
   */
  splitRollback: 'merge-item-unconditionally' | 'none';
  /** to private merges a block that became all private. */
  mergeOnToPrivate: boolean;
  /** fallocate and punch alignment on HugeTLB files; rfc-v2 rounds fallocate down to blocks. */
  alignment: 'page-round-down' | 'block' | 'page';
  /** punch with HugeTLB. */
  punch: 'per-block-zero-partial' | 'all-or-nothing' | 'n/a';
  /** what eviction does with split blocks. */
  evict: 'wrapper-always' | 'merge-if-file-unpinned' | 'truncate';
  /** a split at allocation that fails: the block goes back, or the huge folio stays (K6). */
  allocSplitFailure: 'return-block' | 'keep-huge' | 'n/a';
  /** when a folio holds references that refuse a to-private conversion. */
  refcountRule: string;
  /**
   * tdx contents at a conversion: scrub the pages whose shareability changes
   * [model], or leave them to the S-EPT (a zap of a private mapping clears the
   * page, the accept zeroes a page made private: S-IP8, S-IP13, S-TDXk).
   */
  tdxConvertContents: 'scrub-changing' | 'sept' | 'n/a';
  /** what a guest fault zeroes in a folio that is not uptodate. */
  guestZero: 'whole-folio' | 'page-0' | 'page';
  /** stage-2 level of a private guest fault, per VM type. */
  stage2: Record<VmType, Stage2Level>;
  /**
   * where the shareability lives: in the file (the series' conversion ioctl
   * on the guest_memfd fd, which checks the file's size and fd), or on the VM
   * (KVM_SET_MEMORY_ATTRIBUTES on the VM fd over guest physical addresses: it
   * never looks at the file, so it works after closeFd, accepts a range past
   * the file's size, and checks no references; S-ML612).
   */
  attributes: 'file' | 'vm';
  /**
   * where a guest's shared accesses land: in the file's own folios, or in the
   * memslot's userspace memory outside the file (zero until written, a store
   * separate from the file's private pages; conversions copy nothing; S-ML612).
   */
  sharedMemory: 'file' | 'memslot';
  /** st_blocks follows the folios the file holds (INV-11), or stays 0 (no `inode_add_bytes`: S-ML612). */
  stBlocks: boolean;
}

export interface FieldNote {
  title: string;
  gloss: string;
}

/** What each field means, for the generated table; the row order is this object's. */
export const PROFILE_FIELDS: Record<Exclude<keyof VariantProfile, 'tree'>, FieldNote> = {
  vmTypes: { title: 'VM types', gloss: 'the VM types the tree runs; a trace naming another is invalid input' },
  createFlags: { title: 'create flags', gloss: 'the flags create knows; any other is EINVAL (none: `valid_flags` is 0)' },
  hugetlb: { title: 'huge pages', gloss: 'the `hugetlb` flag is accepted (2M, 1G)' },
  initSharedNeedsMmap: { title: 'init-shared needs mmap', gloss: 'RFC v2 INIT_PRIVATE/SUPPORT_SHARED: init-shared without mmap cannot be expressed (EINVAL)' },
  hugetlbRefusesInitShared: { title: 'hugetlb + init-shared', gloss: 'true: EINVAL' },
  convertWithoutMmapIsNoop: { title: 'convert without mmap', gloss: 'true: returns 0 and records nothing (K8)' },
  convertLengthZero: { title: 'convert length 0', gloss: 'ok-first: 0 before any other check' },
  convertUnit: { title: 'convert unit', gloss: 'what checks, commits and fails together' },
  toSharedOrder: { title: 'to-shared order', gloss: 'the stage-2 zap against the folio split' },
  zapScope: { title: 'stage-2 zap scope', gloss: 'which guest mappings a conversion clears; direction-filter: the pages that change on tdx, the whole range elsewhere (no mirror roots)' },
  splitRollback: { title: 'rollback of a failed split', gloss: 'merge-item-unconditionally: the work item\'s earlier blocks merge back, shared pages or not (K9); from block 0, or over a mapped or pinned sub-folio, it never returns (K10)' },
  zapLeaf: { title: 'stage-2 zap of a huge leaf', gloss: 'cleared whole, or split to 4k at a to-shared boundary' },
  mergeOnToPrivate: { title: 'merge on to-private', gloss: 'a block made all private is merged back to a huge folio' },
  alignment: { title: 'fallocate/punch alignment', gloss: 'HugeTLB files; page-round-down: fallocate rounds start and end down to blocks' },
  punch: { title: 'punch with HugeTLB', gloss: 'per block with partial blocks zeroed (K3), or one refcount check over the range' },
  evict: { title: 'evict', gloss: 'what happens to split blocks when the last reference goes' },
  allocSplitFailure: { title: 'split failure at allocation', gloss: 'the block goes back to the pool, or the huge folio stays in the file (K6)' },
  tdxConvertContents: { title: 'tdx contents at conversion', gloss: 'scrub-changing: the pages that change are zeroed; sept: kept, a zapped private mapping clears its page, the accept zeroes a page made private; n/a: the tree runs no tdx VM' },
  refcountRule: { title: 'refcount rule', gloss: 'what makes a to-private conversion EAGAIN' },
  guestZero: { title: 'zeroing at guest fault', gloss: 'what a guest fault zeroes in a folio that is not uptodate' },
  stage2: { title: 'stage-2 level (private fault)', gloss: 'per VM type: sw-protected, snp, tdx' },
  attributes: { title: 'shareability lives', gloss: 'file: the conversion ioctl on the fd checks the file (size, EBADF, pins); vm: KVM_SET_MEMORY_ATTRIBUTES on the VM, which works after closeFd, returns 0 past the file\'s size and never checks references' },
  sharedMemory: { title: 'shared guest memory', gloss: 'file: shared pages are the file\'s folios; memslot: the memslot\'s userspace memory, a store apart from the file\'s private pages (conversions copy nothing)' },
  stBlocks: { title: 'st_blocks kept', gloss: 'allocated bytes follow the folios the file holds (INV-11); no: always 0' },
};

const UPSTREAM_STAGE2: Record<VmType, Stage2Level> = { 'sw-protected': 'huge', snp: 'huge-2m', tdx: '4k' };

/** What every tree before mainline-6.12 shares: the file holds the attributes and the shared pages (S-V2c, S-W, S-IP8, S-IP13). */
const IN_FILE = {
  vmTypes: VM_TYPES,
  createFlags: CREATE_FLAGS,
  attributes: 'file',
  sharedMemory: 'file',
  stBlocks: true,
} as const;

const WIP = {
  ...IN_FILE,
  hugetlb: true,
  initSharedNeedsMmap: false,
  hugetlbRefusesInitShared: true,
  convertWithoutMmapIsNoop: false,
  convertLengthZero: 'EINVAL',
  convertUnit: 'block-batches',
  zapScope: 'unit',
  splitRollback: 'none',
  mergeOnToPrivate: false,
  alignment: 'block',
  punch: 'all-or-nothing',
  evict: 'merge-if-file-unpinned',
  allocSplitFailure: 'keep-huge',
  refcountRule: 'refcount == nr_pages + 1',
  tdxConvertContents: 'scrub-changing',
  guestZero: 'page-0',
} as const;

const INPLACE = {
  ...IN_FILE,
  hugetlb: false,
  initSharedNeedsMmap: false,
  hugetlbRefusesInitShared: false,
  convertWithoutMmapIsNoop: false,
  convertLengthZero: 'EINVAL',
  convertUnit: 'whole-range',
  toSharedOrder: 'zap-only',
  splitRollback: 'none',
  zapLeaf: 'whole-leaf',
  mergeOnToPrivate: false,
  alignment: 'page',
  punch: 'n/a',
  evict: 'truncate',
  allocSplitFailure: 'n/a',
  tdxConvertContents: 'sept',
  guestZero: 'page',
  stage2: UPSTREAM_STAGE2,
} as const;

export const VARIANT_PROFILES: Record<Variant, VariantProfile> = {
  /** S-V2c kvm_gmem_convert_range, kvm_gmem_convert_should_proceed, kvm_gmem_prepare_folio, kvm_gmem_zero_range, kvm_gmem_evict_inode; S-V2h. */
  'rfc-v2': {
    tree: 'RFC v2 (May 2025), googleprodkernel/linux-cc gmem-1g-page-support-rfc-v2 (S-V2c, S-V2h)',
    ...IN_FILE,
    hugetlb: true,
    initSharedNeedsMmap: true,
    hugetlbRefusesInitShared: false,
    convertWithoutMmapIsNoop: true,
    convertLengthZero: 'ok-first',
    convertUnit: 'runs',
    toSharedOrder: 'zap-then-split',
    zapScope: 'changing-runs',
    splitRollback: 'merge-item-unconditionally',
    zapLeaf: 'whole-leaf',
    mergeOnToPrivate: true,
    alignment: 'page-round-down',
    punch: 'per-block-zero-partial',
    evict: 'wrapper-always',
    allocSplitFailure: 'return-block',
    refcountRule: 'refcount == nr_pages + 1',
    tdxConvertContents: 'scrub-changing',
    guestZero: 'whole-folio',
    stage2: UPSTREAM_STAGE2,
  },
  /** S-W __kvm_gmem_set_attributes, kvm_gmem_convert, merge_truncate_range, kvm_gmem_punch_hole, kvm_gmem_evict_inode, kvm_gmem_get_pfn, __maybe_split_fresh_folio; S-Y3 cover issues (2), (3). */
  'wip-2025-12': {
    tree: 'Dec 2025 WIP, pristine: linux-cc wip-gmem-conversions-hugetlb-restructuring-12-08-25 (S-W)',
    ...WIP,
    toSharedOrder: 'split-then-zap',
    zapLeaf: 'whole-leaf',
    stage2: UPSTREAM_STAGE2,
  },
  /** S-W2 kvm_gmem_split_private, kvm_gmem_restructure; S-Y3 patches 06, 16; [FIXUP] a8aedac2. */
  'tdx-huge-v3': {
    tree: 'the WIP tree with the TDX huge page v3 series and its [FIXUP]s: intel-staging/tdx huge_page_v3 (S-W2, S-Y3)',
    ...WIP,
    toSharedOrder: 'split-zap-then-split',
    zapLeaf: 'split-leaf-to-shared',
    mergeOnToPrivate: true,
    stage2: { 'sw-protected': 'huge', snp: 'huge-2m', tdx: 'huge-2m-no-promotion' },
  },
  /** S-IP13 __kvm_gmem_set_attributes (direction filter), kvm_gmem_has_outstanding_references, kvm_gmem_set_attributes. */
  'inplace-v13': {
    tree: 'in-place conversion v13 (Sep 2026, applied), 4K only (S-IP13)',
    ...INPLACE,
    zapScope: 'direction-filter',
    refcountRule: 'folio_maybe_dma_pinned || folio_mapped || refcount != nr_pages + 1, after an lru drain',
  },
  /** S-IP8 kvm_gmem_convert, patch 01 (filemap_invalidate_lock). */
  'inplace-v8': {
    tree: 'in-place conversion v8 (Jun 2026), superseded by v13 (S-IP8)',
    ...INPLACE,
    zapScope: 'unit',
    refcountRule: 'refcount, after an lru drain',
  },
  /**
   * S-ML612 (DOMAIN 7.4): kvm_gmem_create (`valid_flags` 0), kvm_gmem_fallocate,
   * kvm_gmem_allocate, kvm_gmem_punch_hole, kvm_gmem_get_pfn (`*max_order = 0`,
   * kvm_gmem_prepare_folio clears a folio not yet uptodate), kvm_gmem_release;
   * kvm_vm_ioctl_set_mem_attributes and kvm_vm_set_mem_attributes (kvm_main.c);
   * kvm_arch_pre_set_memory_attributes zaps the whole range (mmu.c; the filter
   * it sets selects nothing in 6.12).
   */
  'mainline-6.12': {
    ...INPLACE,
    tree: 'Debian linux-source-6.12 (6.12.118-1~deb12u1): no HugeTLB, no mmap, attributes on the VM, shared memory in the memslot (S-ML612)',
    vmTypes: ['sw-protected'],
    createFlags: [],
    zapScope: 'unit',
    refcountRule: 'none: KVM_SET_MEMORY_ATTRIBUTES checks no references, and nothing can pin a page of a file without mmap',
    tdxConvertContents: 'n/a',
    stage2: { 'sw-protected': '4k', snp: '4k', tdx: '4k' },
    attributes: 'vm',
    sharedMemory: 'memslot',
    stBlocks: false,
  },
};

/** Where each variant's profile comes from: tags and kernel functions (docs/SOURCES.md resolves the tags). */
export const VARIANT_SOURCES: Record<Variant, string> = {
  'rfc-v2': 'S-V2c `kvm_gmem_convert_range`, `kvm_gmem_restructure_folios_in_range`, `kvm_gmem_convert_should_proceed`, `kvm_gmem_prepare_folio`, `kvm_gmem_zero_range`, `kvm_gmem_evict_inode`, `kvm_gmem_get_folio`; S-V2h `guestmem_hugetlb_merge_folio`',
  'wip-2025-12': 'S-W `__kvm_gmem_set_attributes`, `merge_truncate_range`, `kvm_gmem_punch_hole`, `kvm_gmem_evict_inode`, `kvm_gmem_get_pfn`, `__maybe_split_fresh_folio`; S-Y3 cover issues (2), (3)',
  'tdx-huge-v3': 'S-W2 `kvm_gmem_split_private`, `kvm_gmem_restructure`; S-Y3 patches 06/24 (no promotion), 16/24 (split for punch and to-shared); [FIXUP] a8aedac2 (zap before split)',
  'inplace-v13': 'S-IP13 `__kvm_gmem_set_attributes` (direction filter), `kvm_gmem_has_outstanding_references`, `kvm_gmem_set_attributes`; S-MMU `kvm_gfn_range_filter_to_root_types`; S-TDXk `tdx_sept_remove_private_spte`',
  'inplace-v8': 'S-IP8 `kvm_gmem_convert` (patch 01), `kvm_gmem_get_invalidate_filter` (patch 20), `kvm_gmem_get_pfn`, Kconfig (HAVE_KVM_ARCH_GMEM_INVALIDATE only for KVM_AMD_SEV); S-TDXk `tdx_sept_remove_private_spte`',
  'mainline-6.12': 'S-ML612 `kvm_gmem_create`, `kvm_gmem_fallocate`, `kvm_gmem_allocate`, `kvm_gmem_punch_hole`, `kvm_gmem_get_pfn`, `kvm_gmem_prepare_folio`, `kvm_gmem_release`; `kvm_vm_ioctl_set_mem_attributes`, `kvm_vm_set_mem_attributes`; `kvm_arch_pre_set_memory_attributes`, `kvm_faultin_pfn_private`, `kvm_handle_noslot_fault`',
};

export function profileOf(variant: Variant): VariantProfile {
  return VARIANT_PROFILES[variant];
}

/** A profile value as the generated table prints it. */
export function formatField(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  if (typeof value === 'object' && value) return Object.entries(value).map(([k, v]) => `${k}: ${v}`).join('; ');
  return String(value);
}
