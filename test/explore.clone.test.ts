/**
 * The explorer steps clones (Simulator.clone, src/explore/expand.ts): from
 * states it reaches within four steps of the start scope (about 20 of each
 * level, spread evenly over it), under every variant, a VM type with private memory, the
 * policy alternatives and the seeded faults, every step in scope answers on a
 * clone exactly as on the state rebuilt from its encoding (materialize, the
 * codec the search trusts): same outcome, same violations, same next state,
 * and the state cloned from is left as it was. And a clone has every field
 * of the original, each number, flag and string equal.
 */
import { DEFAULT_POLICY, VARIANTS } from '../machines/policy';
import { FAULTS } from '../src/interpreter/config';
import type { Setting } from '../src/explore/expand';
import { buildModel } from '../src/explore/expand';
import { START_SCOPE } from '../src/explore/settings';
import { encode, materialize } from '../src/explore/state-codec';
import { describeOutcome } from '../src/trace/replay';
import { takeStep } from '../src/engine/step';
import type { Simulator } from '../src/interpreter/simulator';

const settings: Setting[] = [
  ...VARIANTS.map((variant) => ({ variant, vmType: 'sw-protected' as const, policy: DEFAULT_POLICY })),
  { variant: 'tdx-huge-v3', vmType: 'tdx', policy: DEFAULT_POLICY },
  { variant: 'rfc-v2', vmType: 'sw-protected', policy: { ...DEFAULT_POLICY, split: 'lazy', restore: 'inode-held' } },
  { variant: 'rfc-v2', vmType: 'sw-protected', policy: { ...DEFAULT_POLICY, truncateWhilePinned: 'defer', afterTruncate: 'reset' } },
  { variant: 'wip-2025-12', vmType: 'sw-protected', policy: DEFAULT_POLICY, faults: [...FAULTS] },
];

/** Own fields of the clone against the original: the same names, and every number, boolean or string equal (a field added later and not copied shows here). */
function sameFields(copy: object, original: object, what: string): void {
  const keys = (o: object) => Object.keys(o).sort();
  expect(`${what}: ${keys(copy).join(' ')}`).toBe(`${what}: ${keys(original).join(' ')}`);
  for (const [k, v] of Object.entries(original)) if (v === null || typeof v !== 'object') if (typeof v !== 'function') expect([what, k, (copy as Record<string, unknown>)[k]]).toEqual([what, k, v]);
}

function answer(sim: Simulator, step: Parameters<typeof takeStep>[1]): string {
  try {
    const r = takeStep(sim, step);
    const violations = r.violations.map((v) => `${v.invariant}${v.defect ? `/${v.defect}` : ''} ${v.where}: ${v.detail}`).sort();
    return JSON.stringify([r.outcome ? describeOutcome(r.outcome) : '', violations, encode(sim)]);
  } catch (err) {
    return `threw ${(err as Error).message}`;
  }
}

it.each(settings.map((s) => [`${s.variant} ${s.vmType} ${JSON.stringify(s.policy)}${s.faults ? ' faults' : ''}`, s] as const))('a clone steps as the rebuilt state: %s', (_, setting) => {
  const model = buildModel(setting, START_SCOPE);
  let frontier = [''];
  const seen = new Set(frontier);
  let compared = 0;
  for (let depth = 0; depth < 4; depth++) {
    const next: string[] = [];
    for (const enc of frontier) {
      const parent = materialize(enc, model.setup);
      const copy = parent.clone();
      sameFields(copy, parent, 'Simulator');
      sameFields(copy.pool, parent.pool, 'HugePool');
      sameFields(copy.memory, parent.memory, 'PhysicalMemory');
      if (parent.file) {
        sameFields(copy.file!, parent.file, 'GmemFile');
        for (const part of ['store', 'folios', 'account', 'lifetime'] as const) sameFields(copy.file![part], parent.file[part], `GmemFile.${part}`);
      }
      const [from, to] = enc === '' ? [0, model.firstOp] : [model.firstOp, model.steps.length];
      for (let i = from; i < to; i++) {
        const step = model.steps[i]!;
        const viaClone = answer(parent.clone(), step);
        expect(encode(parent)).toBe(enc);
        expect(viaClone).toBe(answer(materialize(enc, model.setup), step));
        compared++;
        const child = JSON.parse(viaClone.startsWith('threw') ? '[0,0,""]' : viaClone)[2] as string;
        if (child && !seen.has(child)) {
          seen.add(child);
          next.push(child);
        }
      }
    }
    // An even spread of each level (every k-th state), so pinned, truncated and closed states are among them.
    const stride = Math.max(1, Math.floor(next.length / 20));
    frontier = next.filter((_, k) => k % stride === 0);
  }
  expect(compared).toBeGreaterThan(500);
});
