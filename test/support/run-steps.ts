/**
 * Runs inline trace steps on a fresh simulator and returns each step's
 * outcome as replay describes it ("ok", "EAGAIN errorOffset=4096", "ok, read
 * 41"), plus the invariant violations seen. For table tests of errno paths.
 * Steps after one that never returns are not run.
 */
import type { Violation } from '../../src/invariants/invariants';
import { Simulator } from '../../src/interpreter/simulator';
import { configOf, describeOutcome } from '../../src/trace/replay';
import { takeStep } from '../../src/engine/step';
import type { Trace } from '../../src/trace/schema';
import { traceSchema } from '../../src/trace/schema';

export type Config = NonNullable<Trace['config']>;

export function runSteps(config: Config, steps: unknown[]): { outcomes: string[]; violations: Violation[]; sim: Simulator } {
  const trace = traceSchema.parse({ format: 'gmem-trace/1', name: 'inline', config, steps });
  const sim = new Simulator(configOf(trace));
  const violations: Violation[] = [];
  let hung: number | undefined;
  const outcomes = trace.steps.map((step, i) => {
    // Nothing after an operation that never returns can run (INV-14).
    if (hung !== undefined) return `not run: step ${hung} never returned`;
    const result = takeStep(sim, step);
    if (result.outcome?.kind === 'hang') hung = i;
    violations.push(...result.violations);
    return result.outcome ? describeOutcome(result.outcome) : result.mismatch ? `check: ${result.mismatch.actual}` : 'check ok';
  });
  return { outcomes, violations, sim };
}
