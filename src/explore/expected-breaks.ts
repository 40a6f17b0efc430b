/**
 * What each setting is known to break: the variant's kernel defects (DOMAIN
 * 7.3, KNOWN_DEFECTS in machines/known-defects.ts, the single source) and the
 * policy alternatives' exposures (DOMAIN 8). The explorer's findings are
 * compared with this; an unexpected break or a listed defect not found is a
 * failure.
 *
 * Some defects show only under some VM types, or in files of two blocks or
 * more; the table says which and why (`vmTypes`, `minBlocks`).
 */
import type { KnownDefect } from '../../machines/known-defects';
import { defectsShownUnder } from '../../machines/known-defects';
import type { Policy } from '../../machines/policy';
import { DEFAULT_POLICY } from '../../machines/policy';
import type { InvariantName } from '../invariants/invariants';
import type { Setting } from './expand';

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
  /** the known defect (DOMAIN 7.3), when a defect is the reason. */
  defect?: KnownDefect['id'];
}

/** Every invariant the setting is expected to break in files of `blocks` blocks, and why. */
export function expectedBreaks(setting: Setting, blocks: number): Expected[] {
  const out: Expected[] = defectsShownUnder(setting.variant, setting.vmType, blocks).map((d) => ({ invariant: d.invariant as InvariantName, because: `${d.id}${d.inject ? ' (inject)' : ''}`, defect: d.id }));
  for (const key of Object.keys(DEFAULT_POLICY) as Array<keyof Policy>) {
    const value = setting.policy[key];
    if (value === DEFAULT_POLICY[key]) continue;
    for (const inv of (POLICY_BREAKS[key] as Record<string, ReadonlyArray<InvariantName>>)[value] ?? []) out.push({ invariant: inv, because: `${key}: ${value}` });
  }
  return out;
}
