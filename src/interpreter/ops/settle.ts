/**
 * settle: the merge worker runs until no deferred work is left; the
 * `settle` row of the operation table (src/engine/operations.ts).
 */
import type { Simulator } from '../simulator';
import type { StepOutcome } from '../outcome';
import { OK } from '../outcome';

/** Runs deferred work until none is left: the merge worker returns every mergeable block whole (S-V2h). */
export function settle(sim: Simulator): StepOutcome {
  const file = sim.file;
  if (!file) return { kind: 'nofile' };
  file.forEveryBlock({ type: 'settle' }, () => undefined);
  return OK;
}
