/**
 * The explorer proves the tests bite: each seeded fault of the simulator
 * (FAULTS) makes the default-scope search find a broken invariant that the
 * real simulator keeps, and the counterexample's trace reproduces it under
 * replay with the fault. The counterexample length is printed per fault.
 */
import { DEFAULT_POLICY } from '../machines/policy';
import { FAULTS } from '../src/interpreter/config';
import type { FaultName } from '../src/interpreter/config';
import { runSettings } from '../src/explore/run';
import { START_SCOPE } from '../src/explore/settings';
import { stepLabel } from '../src/explore/operations';
import { runTrace } from '../src/trace/replay';

const base = { variant: 'rfc-v2' as const, vmType: 'sw-protected' as const, policy: DEFAULT_POLICY };

it.each(FAULTS.map((f) => [f]))('seeded fault %s is found in the default scope', async (fault) => {
  const [report] = await runSettings([{ ...base, faults: [fault as FaultName] }], START_SCOPE, { stopAtFirstFinding: true });
  // Only breaks the fault causes count: steps that break the invariant with the fault and not on the plain simulator.
  // A break the simulator attributes to a known kernel defect (DOMAIN 7.3) is the variant's, not the fault's.
  const found = report!.counterexamples.filter((c) => !c.finding.defect && report!.own?.has(c.finding.invariant));
  expect(found.length).toBeGreaterThan(0);
  const shortest = found.reduce((a, b) => (b.finding.steps.length < a.finding.steps.length ? b : a));
  process.stdout.write(`${fault}: ${shortest.finding.invariant} broken in ${shortest.finding.steps.length} steps: ${shortest.finding.steps.map((s) => stepLabel(s)).join(', ')}\n`);
  expect(shortest.reproduced).toBe(true);
  // Without the fault the same steps keep the invariant.
  const real = runTrace({ ...shortest.trace, expectViolation: undefined as never }, []);
  expect(real.failure?.actual ?? '').not.toContain(`${shortest.finding.invariant} violated`);
});
