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
 * with every op, two processes, one pin, one data value, five steps (create included). It
 * reaches every seeded fault and known defect of this tree in seconds per
 * setting; the wider geometry (2 blocks x 4 pages, 2 values) is documented
 * with its times in docs/EXPLORER.md and runs with `gmem explore --blocks 2
 * --pages 4 --values 2 --depth 3`.
 */
export const START_SCOPE: Scope = { blocks: 1, pages: 2, processes: 2, pins: 1, values: 1, depth: 5 };

export function settingName(s: Setting): string {
  const changed = POLICY_KEYS.filter((k) => s.policy[k] !== DEFAULT_POLICY[k]).map((k) => `${k}=${s.policy[k]}`);
  return [s.variant, s.vmType, changed.length ? changed.join(',') : 'kernel policies', ...(s.faults?.length ? [`faults ${s.faults.join(',')}`] : [])].join(' ');
}
