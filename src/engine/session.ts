/**
 * A simulator run as the viewer, the inspector and the spec's probes drive
 * it: a step at a time through the engine, read between steps through the
 * one reader (reads.ts).
 */
import type { SimConfig } from '../interpreter/config';
import { Simulator } from '../interpreter/simulator';
import type { TraceStep } from '../trace/schema';
import type { Reads } from './reads';
import { fillCodes, readsWith } from './reads';
import type { StepResult } from './step';
import { takeStep } from './step';

/** A simulator run as the viewer drives it: a step at a time, read between steps. */
export interface SimulatorReads extends Reads {
  step(step: TraceStep): StepResult;
}

export function simulate(config: SimConfig): SimulatorReads {
  const sim = new Simulator(config);
  // The page states spread one byte per page, filled from the runs at most once between two steps.
  let codes: Uint8Array | undefined;
  const reads = readsWith(sim, () => (codes ??= fillCodes(sim.file!, new Uint8Array(sim.file!.nPages))));
  return {
    ...reads,
    step: (step) => {
      codes = undefined;
      return takeStep(sim, step);
    },
  };
}
