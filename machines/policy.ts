/**
 * The deck's open questions as policies (DOMAIN section 8), the kernel lineages
 * as variants (section 7) and the VM types (section 6). The first value of each
 * policy is the kernel's decision and the default.
 */
export const SPLIT = ['eager', 'lazy'] as const;
export const AFTER_TRUNCATE = ['keep', 'reset'] as const;
export const RESTORE = ['allocator-wrapper', 'inode-held'] as const;
export const TRUNCATE_WHILE_PINNED = ['eagain', 'defer'] as const;
export const VARIANTS = ['rfc-v2', 'wip-2025-12', 'inplace-v8'] as const;
export const VM_TYPES = ['sw-protected', 'tdx', 'snp'] as const;
export const SHAREABILITY = ['shared', 'private'] as const;

export type SplitPolicy = (typeof SPLIT)[number];
export type AfterTruncate = (typeof AFTER_TRUNCATE)[number];
export type Restore = (typeof RESTORE)[number];
export type TruncateWhilePinned = (typeof TRUNCATE_WHILE_PINNED)[number];
export type Variant = (typeof VARIANTS)[number];
export type VmType = (typeof VM_TYPES)[number];
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

/** What distinguishes each kernel lineage (DOMAIN 7). */
export const VARIANT_NOTES: Record<Variant, string> = {
  'rfc-v2': 'RFC v2 (May 2025): 2M and 1G pages; hugetlb with init-shared allowed; page-aligned fallocate (rounded down to blocks) and punch; a partial-block punch zeroes in place; convert of length 0 returns 0; a failed conversion rolls the whole request back; split before the stage-2 zap.',
  'wip-2025-12': 'WIP Dec 2025 (HugeTLB on in-place conversion): hugetlb with init-shared is EINVAL; block-aligned fallocate and punch; length 0 is EINVAL; conversions work block by block, so blocks before a failing one stay converted; zap before split, so a split failure leaves mappings gone (the INV-12 defect).',
  'inplace-v8': 'In-place conversion v8 (Jun 2026): 4K pages only; page alignment; length 0 is EINVAL; a failed conversion changes nothing; no split.',
};
