/**
 * inject: arms a fault a test kernel would inject; the `inject` row of the
 * operation table (src/engine/operations.ts).
 *
 * inject split-enomem: arms the next folio split to fail with -ENOMEM, as a
 * test kernel's fault injection would (TRACE-FORMAT "inject"). The simulator
 * consumes the arming at the next split it attempts; a second inject while
 * armed changes nothing.
 */
import type { StepOutcome } from '../outcome';
import { isFile, openFile } from '../file-access';
import { OK } from '../outcome';
import type { Simulator } from '../simulator';

export function inject(sim: Simulator): StepOutcome {
  const file = openFile(sim);
  if (!isFile(file)) return file;
  file.splitArmed = true;
  return OK;
}
