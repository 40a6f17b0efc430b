/**
 * The settings the verdicts explore, from machines/policy.ts's lists (so a
 * new variant or VM type is explored without a change here): every variant
 * under every VM type with the kernel's policies, and each policy question's
 * alternatives on the policy base setting.
 */
import type { Policy } from '../../machines/policy';
import { DEFAULT_POLICY, POLICY_NOTES, VARIANTS, VM_TYPES } from '../../machines/policy';
import { profileOf } from '../../machines/variant';
import type { Setting } from './expand';
import type { Scope } from './operations';
import { scopeFlags } from './scope-flags';

/**
 * The setting the deck's questions are answered on: the first variant and
 * VM type (rfc-v2, sw-protected: HugeTLB, contents preserved, so every
 * content rule is observable).
 */
export const POLICY_BASE: Omit<Setting, 'policy'> = { variant: VARIANTS[0], vmType: VM_TYPES[0] };

export const POLICY_KEYS = Object.keys(DEFAULT_POLICY) as Array<keyof Policy>;

/** Every variant under every VM type it runs (profile.vmTypes: mainline-6.12 runs sw-protected only, DOMAIN 7.4). */
export function variantSettings(): Setting[] {
  return VARIANTS.flatMap((variant) => VM_TYPES.filter((vmType) => profileOf(variant).vmTypes.includes(vmType)).map((vmType) => ({ variant, vmType, policy: DEFAULT_POLICY })));
}

export function policyAlternatives(): Array<{ key: keyof Policy; value: string; setting: Setting }> {
  return POLICY_KEYS.flatMap((key) =>
    POLICY_NOTES[key].values.slice(1).map((value) => ({ key, value, setting: { ...POLICY_BASE, policy: { ...DEFAULT_POLICY, [key]: value } as Policy } })),
  );
}

/** Every setting of the verdicts, each once. */
export function verdictSettings(): Setting[] {
  return [...variantSettings(), ...policyAlternatives().map((a) => a.setting)];
}

/**
 * The scope `npm start` and docs/VERDICTS.md explore: one block of two pages
 * with every op, two processes, one pin, one data value, five steps (create
 * included), processes reduced by symmetry (src/explore/symmetry.ts: the
 * same verdicts and counterexample lengths over 1.7x fewer states). It
 * reaches every seeded fault and every known defect one block can show, in
 * seconds per setting; the defects that need a second block are the
 * cross-block scope's (CROSS_BLOCK_SCOPE). Wider geometries and their times:
 * docs/EXPLORER.md.
 */
export const START_SCOPE: Scope = { blocks: 1, pages: 2, processes: 2, pins: 1, values: 1, depth: 5, symmetry: true };

/**
 * The scope where the two-block defects live (DOMAIN 7.3): two blocks of two
 * pages, so a conversion's work item can start in block 1 (rfc-v2's rollback
 * from block 0 never returns, K10, so K1 returns only from block 1) and span
 * two blocks; depth 5, the longest shortest counterexample of the start
 * scope (K2 under tdx). K9 needs a third block (an item starting in block 1
 * whose second block's split fails) and stays outside it: its trace
 * test/traces/k9-rfc-v2-rollback-merges-presplit-block.json pins it.
 * With symmetry: the two processes are interchangeable (src/explore/symmetry.ts).
 */
export const CROSS_BLOCK_SCOPE: Scope = { blocks: 2, pages: 2, processes: 2, pins: 1, values: 1, depth: 5, symmetry: true };

/**
 * The settings the cross-block scope runs: every kernel tree under its
 * kernel policies on the sw-protected and tdx VM types (snp zeroes as tdx
 * does on every tree here and adds nothing a second block could reach).
 */
export function crossBlockSettings(): Setting[] {
  return variantSettings().filter((s) => s.vmType === 'sw-protected' || s.vmType === 'tdx');
}

/** The scopes `gmem explore --scope` names, each with the settings it runs by default. */
export const NAMED_SCOPES = {
  start: { scope: START_SCOPE, settings: verdictSettings },
  'cross-block': { scope: CROSS_BLOCK_SCOPE, settings: crossBlockSettings },
} as const;

export type ScopeName = keyof typeof NAMED_SCOPES;

/** The name of a named scope equal to `scope`, if it is one. */
export function scopeNameOf(scope: Scope): ScopeName | undefined {
  // The flags that run a scope name every field of it.
  const flags = scopeFlags(scope);
  return (Object.keys(NAMED_SCOPES) as ScopeName[]).find((name) => scopeFlags(NAMED_SCOPES[name].scope) === flags);
}

export function settingName(s: Setting): string {
  const changed = POLICY_KEYS.filter((k) => s.policy[k] !== DEFAULT_POLICY[k]).map((k) => `${k}=${s.policy[k]}`);
  return [s.variant, s.vmType, changed.length ? changed.join(',') : 'kernel policies', ...(s.faults?.length ? [`faults ${s.faults.join(',')}`] : [])].join(' ');
}
