/**
 * unpin: drops a pin's reference on the folio at a page (DOMAIN 4); the
 * `unpin` row of the operation table (src/engine/operations.ts). An unpin
 * matches by page, most recent pin first, whatever the process; a pin
 * follows its folio out of the file (TRACE-FORMAT).
 */
import type { PinRecord } from '../gmem-file';
import type { Simulator } from '../simulator';
import type { StepOutcome } from '../outcome';
import { blockOf } from '../file-access';
import { fail, OK, refused } from '../outcome';

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
