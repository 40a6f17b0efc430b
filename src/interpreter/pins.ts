/**
 * pin / unpin: GUP or vmsplice takes an extra reference on the folio at a
 * page, or drops one (DOMAIN 4). A pin faults the page in as a host access
 * does; an unpin matches by page, most recent pin first, whatever the
 * process; a pin follows its folio out of the file (TRACE-FORMAT).
 */
import type { PinRecord } from './gmem-file';
import type { Simulator } from './simulator';
import type { StepOutcome } from './outcome';
import { exposePages, zeroAtHostFault } from './content';
import { blockOf, isFile } from './simulator';
import { fail, OK, refused } from './outcome';

export function pin(sim: Simulator, offset: number, process: number): StepOutcome {
  const f = sim.hostFile(process);
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

export function unpin(sim: Simulator, offset: number): StepOutcome {
  const file = sim.file;
  if (!file) return { kind: 'nofile' };
  const p = Math.floor(offset / file.pageSize);
  if (offset < 0 || p >= file.nPages) return fail('EINVAL');
  const refusal = file.runOp(blockOf(file, p), { type: 'unpin', page: p % file.blockPages });
  if (refusal) return refused(refusal);
  // The machines dropped the newest pin on the file's folio if there is one, else on a retired folio.
  const stack = file.folios.pinStack;
  const record = newest(stack, p, false) ?? newest(stack, p, true);
  if (!record) throw new Error(`unpin accepted at page ${p} with no pin record`);
  stack.splice(stack.indexOf(record), 1);
  const sub = p % file.blockPages;
  const n = (record.folio.pins.get(sub) ?? 0) - 1;
  if (n > 0) record.folio.pins.set(sub, n);
  else record.folio.pins.delete(sub);
  return OK;
}

function newest(stack: ReadonlyArray<PinRecord>, page: number, retired: boolean): PinRecord | undefined {
  for (let i = stack.length - 1; i >= 0; i--) {
    const r = stack[i]!;
    if (r.page === page && r.retired === retired) return r;
  }
  return undefined;
}
