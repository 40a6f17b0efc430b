/**
 * The invariants INV-1 to INV-14 (DOMAIN 9) by name, each with its gloss:
 * the one list of their names. src/invariants/ holds the predicates that
 * check them; machines/expectations.ts says which settings break which.
 */
export const INVARIANTS = {
  'INV-1': 'confidentiality: no host mapping of a private page; host access to a private page raises SIGBUS',
  'INV-2': 'shared-is-small: an allocated shared page is on an order-0 folio; a huge folio means an all-private block',
  'INV-3': 'merge-eagerly: after a successful conversion a split block holds some shared page',
  'INV-4': 'mapping-within-folio: a guest mapping is never larger than its folio; huge only over an all-private block',
  'INV-5': 'return-whole: folios go back to the pool only at their original order; no sub-folio alone',
  'INV-6': 'shareability-independent: allocation and truncation never change shareability',
  'INV-7': 'total-coverage: shareability is defined for exactly the file\'s pages',
  'INV-8': 'refcount-gate: no private page and no huge folio holds a pin',
  'INV-9': 'content: first exposure reads zero; conversions keep or zero bytes per VM type',
  'INV-10': 'no-leak: after the last reference, unpinning everything and settling, the pool and cgroup counters are back to their baseline',
  'INV-11': 'accounting: allocated bytes equal the bytes of the folios the file holds',
  'INV-12': 'atomic-failure: a failed conversion leaves shareability, guest mappings and folios of the failing unit as they were, as observed (a zap that removed nothing does not break it)',
  'INV-13': 'contiguity: a block stays one physically contiguous huge page while the file owns it',
  'INV-14': 'liveness: every operation returns (one that never returns is the last observable event of a trace)',
} as const;
export type InvariantName = keyof typeof INVARIANTS;
export const INVARIANT_NAMES = Object.keys(INVARIANTS) as InvariantName[];
