/**
 * What each setting is known to break: the variant's kernel defects
 * (DOMAIN 7.3) and the policy alternatives' exposures (DOMAIN 8). The
 * explorer's findings are compared with this; an unexpected break or a
 * listed defect not found is a failure.
 *
 * ============================================================================
 * REPLACE AT MERGE (issue 8): LOCAL_KNOWN_DEFECTS stands in for
 * KNOWN_DEFECTS exported by machines/known-defects.ts (K1-K8 of the shared
 * DOMAIN 7.3). It lists what this tree's docs/DOMAIN.md section 7 declares
 * for the simulator as it is before that merge. At the merge: delete
 * LOCAL_KNOWN_DEFECTS, import KNOWN_DEFECTS, and map its rows in
 * `knownDefects` below (fields: id, variant(s), breaks, inject).
 * ============================================================================
 */
import type { Policy, Variant } from '../../machines/policy';
import { DEFAULT_POLICY } from '../../machines/policy';
import type { InvariantName } from '../invariants';
import type { Setting } from './expand';

export interface KnownDefect {
  id: string;
  variants: ReadonlyArray<Variant>;
  breaks: InvariantName;
  /** needs an injected split failure to show. */
  inject: boolean;
  scenario: string;
  source: string;
}

/** PRE-MERGE stand-in, in DOMAIN 7.3's form (see the banner above). */
export const LOCAL_KNOWN_DEFECTS: ReadonlyArray<KnownDefect> = [
  {
    id: 'K7 (pre-merge: on wip-2025-12)',
    variants: ['wip-2025-12'],
    breaks: 'INV-12',
    inject: true,
    scenario: 'a to-shared conversion zaps the stage-2 mappings before it splits; a split failing after the zap leaves shareability unchanged and the mappings gone',
    source: 'S-Y3, S-Y',
  },
];

export function knownDefects(variant: Variant): KnownDefect[] {
  return LOCAL_KNOWN_DEFECTS.filter((d) => d.variants.includes(variant));
}

/** The invariants each policy alternative is documented to break (DOMAIN 8; TRACE-FORMAT "Policies"). */
export const POLICY_BREAKS: { [K in keyof Policy]: Partial<Record<Policy[K], ReadonlyArray<InvariantName>>> } = {
  split: { lazy: ['INV-2', 'INV-4'] },
  afterTruncate: { reset: ['INV-6'] },
  restore: { 'inode-held': ['INV-10'] },
  truncateWhilePinned: { defer: [] },
};

export interface Expected {
  invariant: InvariantName;
  because: string;
}

/** Every invariant the setting is expected to break, and why. */
export function expectedBreaks(setting: Setting): Expected[] {
  const out: Expected[] = knownDefects(setting.variant).map((d) => ({ invariant: d.breaks, because: `${d.id}${d.inject ? ' (inject)' : ''}` }));
  for (const key of Object.keys(DEFAULT_POLICY) as Array<keyof Policy>) {
    const value = setting.policy[key];
    if (value === DEFAULT_POLICY[key]) continue;
    for (const inv of (POLICY_BREAKS[key] as Record<string, ReadonlyArray<InvariantName>>)[value] ?? []) out.push({ invariant: inv, because: `${key}: ${value}` });
  }
  return out;
}
