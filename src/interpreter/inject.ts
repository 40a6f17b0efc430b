/**
 * inject split-enomem: arms the next folio split to fail with -ENOMEM, as a
 * test kernel's fault injection would (TRACE-FORMAT "inject"). The simulator
 * consumes the arming at the next split it attempts; a second inject while
 * armed changes nothing.
 */
import type { StepOutcome } from './outcome';
import { isFile } from './simulator';
import { OK } from './outcome';
import type { Simulator } from './simulator';

export function inject(sim: Simulator): StepOutcome {
  const file = sim.openFile();
  if (!isFile(file)) return file;
  file.splitArmed = true;
  return OK;
}
