/**
 * unbind: the memslot that binds the file to the VM is deleted; the
 * `unbind` row of the operation table (src/engine/operations.ts).
 */
import type { StepOutcome } from '../outcome';
import { fail, OK } from '../outcome';
import type { Simulator } from '../simulator';
import { zapAll } from '../stage2';

/** Deletes the memslot: every stage-2 mapping goes; the file is unaffected; a second unbind is EINVAL. */
export function unbind(sim: Simulator): StepOutcome {
  if (!sim.file) return { kind: 'nofile' };
  const file = sim.file;
  if (file.closed) return fail('EBADF');
  if (!file.bound) return fail('EINVAL');
  file.lifetime.unbind();
  zapAll(file);
  return OK;
}
