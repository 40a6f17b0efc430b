/**
 * The deck's open questions as policies (DOMAIN section 8), the kernel lineages
 * as variants (section 7) and the VM types (section 6). The first value of each
 * policy is the kernel's decision and the default.
 */
import type { Variant } from './variant';
export { VARIANTS, VM_TYPES } from './variant';
export type { Variant, VmType } from './variant';

export const SPLIT = ['eager', 'lazy'] as const;
export const AFTER_TRUNCATE = ['keep', 'reset'] as const;
export const RESTORE = ['allocator-wrapper', 'inode-held'] as const;
export const TRUNCATE_WHILE_PINNED = ['eagain', 'defer'] as const;
export const SHAREABILITY = ['shared', 'private'] as const;

export type SplitPolicy = (typeof SPLIT)[number];
export type AfterTruncate = (typeof AFTER_TRUNCATE)[number];
export type Restore = (typeof RESTORE)[number];
export type TruncateWhilePinned = (typeof TRUNCATE_WHILE_PINNED)[number];
export type Shareability = (typeof SHAREABILITY)[number];

export interface Policy {
  /** eager: split at conversion (the kernel); lazy: the deck's "fapending". */
  split: SplitPolicy;
  /** keep: a truncated page keeps its shareability (the kernel); reset: back to the file's initial one. */
  afterTruncate: AfterTruncate;
  /** allocator-wrapper: late sub-folios return through the wrapper (the kernel); inode-held: the inode waits. */
  restore: Restore;
  /** eagain: punching a pinned split block is refused (the kernel); defer: the deck's "truncate pending". */
  truncateWhilePinned: TruncateWhilePinned;
}

export const DEFAULT_POLICY: Policy = {
  split: 'eager',
  afterTruncate: 'keep',
  restore: 'allocator-wrapper',
  truncateWhilePinned: 'eagain',
};

/** Every combination of the values in `choices`, as a list of records. */
export function combinations<T extends Record<string, readonly unknown[]>>(
  choices: T,
): Array<{ [K in keyof T]: T[K][number] }> {
  let acc: Array<Record<string, unknown>> = [{}];
  for (const [key, values] of Object.entries(choices)) {
    acc = acc.flatMap((partial) => values.map((v) => ({ ...partial, [key]: v })));
  }
  return acc as Array<{ [K in keyof T]: T[K][number] }>;
}

/** What each policy's alternative exposes (DOMAIN 8); the first value is the kernel's. */
export const POLICY_NOTES: Record<keyof Policy, { values: readonly string[]; changes: string }> = {
  split: { values: SPLIT, changes: 'lazy ("fapending") leaves a huge folio behind a shared page until a shared fault, so the guest may map it huge over a shared page (INV-2, INV-4 break).' },
  afterTruncate: { values: AFTER_TRUNCATE, changes: 'reset returns truncated pages to the file\'s initial shareability (the deck\'s question 1; INV-6 breaks).' },
  restore: { values: RESTORE, changes: 'inode-held keeps the inode alive until every block is unsplit, which waits for a truncate only userspace could issue: memory never returns (INV-10 breaks).' },
  truncateWhilePinned: { values: TRUNCATE_WHILE_PINNED, changes: 'defer is the deck\'s "truncate pending": the punch returns 0 and the pinned block returns after its last unpin and a settle.' },
};

/** What distinguishes each kernel lineage (DOMAIN 7); the field-by-field table is machines/variant.ts. */
export const VARIANT_NOTES: Record<Variant, string> = {
  'rfc-v2': 'RFC v2 (May 2025): 2M and 1G pages; init-shared needs mmap; without mmap a conversion is a silent no-op (K8); length 0 returns 0 first; runs checked then committed; to-shared zaps whole leaves before splitting, so a failed split loses mappings (K1); guest faults zero the whole folio (K2); a partial punch zeroes from the block start (K3); eviction never merges.',
  'wip-2025-12': 'Dec 2025 WIP, pristine: hugetlb with init-shared is EINVAL; block alignment; one batch per block; split before the whole-leaf zap; to-private never merges (K4); all-or-nothing punch; a guest fault zeroes page 0 only (K5); a failed split at allocation leaves the huge folio (K6); TDX maps 4k.',
  'tdx-huge-v3': 'The WIP tree with the TDX huge page v3 series and [FIXUP]s: as wip-2025-12, but cross-boundary leaves split to 4k, zap before split so a failed split loses mappings (K7), to-private merges an all-private block, TDX maps up to 2 MiB and never promotes.',
  'inplace-v13': 'In-place conversion v13 (Sep 2026): 4K pages only; the whole range checks and commits; only mappings of pages that change are zapped; refcount rule folio_maybe_dma_pinned or mapped.',
  'inplace-v8': 'In-place conversion v8 (Jun 2026, superseded by v13): 4K pages only; the whole range checks and commits; the whole range is zapped.',
  'mainline-6.12': 'Debian\'s 6.12, the tree that runs here (DOMAIN 7.4): sw-protected only; no create flags, no HugeTLB, no mmap (host access and pin ENODEV); the attributes live on the VM (KVM_SET_MEMORY_ATTRIBUTES: past the file\'s size 0, works after closeFd, never EAGAIN); shared guest memory is the memslot\'s userspace memory, a store apart from the file\'s private pages; st_blocks stays 0.',
};
