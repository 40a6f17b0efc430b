/**
 * The explorer's canonical encoding is sound: a state rebuilt from its
 * encoding (materialize), and a clone of it (Simulator.clone, what the
 * explorer steps), answer every next step exactly as the original does (same outcome, same invariant verdicts, same next
 * encoding), on random walks under every variant, VM type and policy
 * alternative. And every op of the trace contract is explored.
 */
import fc from 'fast-check';
import { DEFAULT_POLICY, VARIANTS, VM_TYPES } from '../machines/policy';
import { profileOf } from '../machines/variant';
import { FAULTS } from '../src/interpreter/config';
import { buildModel } from '../src/explore/expand';
import type { Setting } from '../src/explore/expand';
import { contractOps, DEFAULT_SCOPE, operations, geometryOf } from '../src/explore/operations';
import { encode, materialize, rootSimulator } from '../src/explore/state-codec';
import { describeOutcome } from '../src/trace/replay';
import { takeStep } from '../src/engine/step';

const settings: Setting[] = [
  ...VARIANTS.flatMap((variant) => VM_TYPES.filter((vmType) => profileOf(variant).vmTypes.includes(vmType)).map((vmType) => ({ variant, vmType, policy: DEFAULT_POLICY }))),
  { variant: 'rfc-v2', vmType: 'sw-protected', policy: { ...DEFAULT_POLICY, split: 'lazy' } },
  { variant: 'rfc-v2', vmType: 'sw-protected', policy: { ...DEFAULT_POLICY, truncateWhilePinned: 'defer', restore: 'inode-held', afterTruncate: 'reset' } },
  { variant: 'wip-2025-12', vmType: 'sw-protected', policy: DEFAULT_POLICY, faults: [...FAULTS] },
];

it.each(settings.map((s) => [`${s.variant} ${s.vmType} ${JSON.stringify(s.policy)}${s.faults ? ' faults' : ''}`, s] as const))(
  'encoding round-trips and predicts every next step: %s',
  (_, setting) => {
    const model = buildModel(setting, { ...DEFAULT_SCOPE, pool: 3 });
    // Only the creates this setting accepts: a walk from a refused create would test nothing.
    const accepted = Array.from({ length: model.firstOp }, (_, c) => c).filter((c) => {
      const sim = rootSimulator(model.setup);
      takeStep(sim, model.steps[c]!);
      return sim.file !== undefined;
    });
    const create = fc.constantFrom(...accepted);
    const op = fc.integer({ min: model.firstOp, max: model.steps.length - 1 });
    fc.assert(
      fc.property(create, fc.boolean(), fc.array(op, { minLength: 1, maxLength: 14 }), (c, armed, path) => {
        const sim = rootSimulator(model.setup);
        takeStep(sim, model.steps[c]!);
        // Half the walks start with a split failure armed: uniform picks over some 340 ops almost never step from one.
        if (armed) takeStep(sim, model.steps.find((s) => s.op === 'inject')!);
        for (const i of path) {
          const enc = encode(sim);
          const rebuilt = materialize(enc, model.setup);
          expect(encode(rebuilt)).toBe(enc);
          // The explorer steps clones (Simulator.clone): a clone answers as the original, and stepping it leaves the original alone.
          const copy = sim.clone();
          expect(encode(copy)).toBe(enc);
          const step = model.steps[i]!;
          const results = [copy, rebuilt, sim].map((s) => {
            const r = takeStep(s, step);
            if (s === copy) expect(encode(sim)).toBe(enc);
            return { outcome: r.outcome ? describeOutcome(r.outcome) : '', violations: r.violations.map((v) => `${v.invariant}${v.defect ?? ''} ${v.where}: ${v.detail}`).sort().join('; '), next: encode(s) };
          });
          expect(results[0]).toEqual(results[2]);
          expect(results[1]).toEqual(results[2]);
        }
      }),
      { numRuns: 25, seed: 9 },
    );
  },
);

it('every op of the trace contract is generated (new ops need a line in OP_GENERATORS)', () => {
  const generated = new Set(operations(geometryOf(DEFAULT_SCOPE, 'tdx')).map((s) => s.op));
  generated.add('create');
  const missing = contractOps().filter((op) => !generated.has(op as never));
  expect(missing).toEqual([]);
});
