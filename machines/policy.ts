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
