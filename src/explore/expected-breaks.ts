/**
 * What each setting is known to break: the variant's kernel defects (DOMAIN
 * 7.3, KNOWN_DEFECTS in machines/known-defects.ts, the single source) and the
 * policy alternatives' exposures (DOMAIN 8). The explorer's findings are
 * compared with this; an unexpected break or a listed defect not found is a
 * failure.
 *
 * The defects table names variants, not VM types. One of its defects
 * exposes stale bytes of a reused huge page, which a VM type that clears
 * reclaimed pages cannot show (DOMAIN 6: "tdx and snp pages return to the pool cleared [...], so
 * stale bytes show only for sw-protected VMs"; tdx and snp read zeroes after
 * every conversion). Which defects those are is stated below, per defect,
 * with the reason; everything else is expected under every VM type.
 */
import type { KnownDefect } from '../../machines/known-defects';
import { KNOWN_DEFECTS } from '../../machines/known-defects';
import type { Policy, Variant, VmType } from '../../machines/policy';
import { DEFAULT_POLICY } from '../../machines/policy';
import type { InvariantName } from '../invariants';
import type { Setting } from './expand';

/**
 * Defects whose break is bytes surviving what a zeroing VM type clears: they
 * show only under VM types that preserve contents (DOMAIN 6).
 *   K5: the stale bytes come from the huge page's previous use; tdx and snp
 *       hand pages back to the pool cleared.
 * (K2 is not one: the data a merge's inherited "not uptodate" wipes may be
 * private data the conversion did not touch, so tdx and snp show it too.)
 */
export const NEEDS_PRESERVED_CONTENTS: ReadonlySet<KnownDefect['id']> = new Set(['K5']);

/** DOMAIN 6: which VM types preserve contents across conversions and through the pool. */
export const PRESERVES_CONTENTS: Record<VmType, boolean> = { 'sw-protected': true, tdx: false, snp: false };

/** The known defects (KNOWN_DEFECTS) a variant shows under a VM type. */
export function knownDefects(variant: Variant, vmType: VmType): KnownDefect[] {
  return KNOWN_DEFECTS.filter((d) => d.variants.includes(variant) && (PRESERVES_CONTENTS[vmType] || !NEEDS_PRESERVED_CONTENTS.has(d.id)));
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
  /** the known defect (K1-K8), when a defect is the reason. */
  defect?: KnownDefect['id'];
}

/** Every invariant the setting is expected to break, and why. */
export function expectedBreaks(setting: Setting): Expected[] {
  const out: Expected[] = knownDefects(setting.variant, setting.vmType).map((d) => ({ invariant: d.invariant as InvariantName, because: `${d.id}${d.inject ? ' (inject)' : ''}`, defect: d.id }));
  for (const key of Object.keys(DEFAULT_POLICY) as Array<keyof Policy>) {
    const value = setting.policy[key];
    if (value === DEFAULT_POLICY[key]) continue;
    for (const inv of (POLICY_BREAKS[key] as Record<string, ReadonlyArray<InvariantName>>)[value] ?? []) out.push({ invariant: inv, because: `${key}: ${value}` });
  }
  return out;
}
