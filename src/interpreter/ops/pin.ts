/**
 * pin: GUP or vmsplice takes an extra reference on the folio at a page
 * (DOMAIN 4); the `pin` row of the operation table (src/engine/operations.ts).
 * A pin faults the page in as a host access does; a pin follows its folio
 * out of the file (TRACE-FORMAT); unpin (ops/unpin.ts) drops it.
 */
import type { Simulator } from '../simulator';
import type { StepOutcome } from '../outcome';
import { exposePages, zeroAtHostFault } from '../content';
import { blockOf, hostFile, isFile } from '../file-access';
import { fail, OK, refused } from '../outcome';

export function pin(sim: Simulator, offset: number, process: number): StepOutcome {
  const f = hostFile(sim, process);
  if (!isFile(f)) return f;
  const p = Math.floor(offset / f.pageSize);
  if (offset < 0 || p >= f.nPages) return fail('EFAULT');
  const refusal = f.runOp(blockOf(f, p), { type: 'pin', page: p % f.blockPages });
  // The machines answer as GUP does: SIGBUS from the fault is EFAULT, ENOMEM (VM_FAULT_OOM) stays ENOMEM.
  if (refusal) return refused(refusal);
  zeroAtHostFault(f, p);
  exposePages(f, p, p + 1, sim.exposed, 'host');
  f.store.hostMap(process).add(p);
  const folio = f.block(blockOf(f, p)).meta!;
  const sub = p % f.blockPages;
  folio.pins.set(sub, (folio.pins.get(sub) ?? 0) + 1);
  f.folios.pinStack.push({ page: p, process, folio, retired: false });
  return OK;
}
