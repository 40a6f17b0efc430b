/**
 * close: the VM and its processes go, and every reference to the file with
 * them; the `close` row of the operation table (src/engine/operations.ts).
 */
import { evict } from '../evict';
import type { StepOutcome } from '../outcome';
import { fail, OK } from '../outcome';
import type { Simulator } from '../simulator';

/** [model] the VM and its processes go: fd, mappings and binding at once, then eviction; EBADF once the references are gone. */
export function close(sim: Simulator): StepOutcome {
  if (!sim.file) return { kind: 'nofile' };
  const file = sim.file;
  if (file.closed || file.released) return fail('EBADF');
  file.lifetime.closeAll();
  file.store.dropHostMaps();
  evict(file);
  return OK;
}
