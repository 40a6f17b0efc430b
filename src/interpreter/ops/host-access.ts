/**
 * hostRead / hostWrite: a process's access through its mmap of the file;
 * the `hostRead` and `hostWrite` rows of the operation table (src/engine/operations.ts).
 */
import { exposePages, zeroAtHostFault } from '../content';
import { blockOf, hostFile, isFile } from '../file-access';
import type { Payload, StepOutcome } from '../outcome';
import { fail, refused } from '../outcome';
import type { Simulator } from '../simulator';
import { transfer } from '../transfer';

/**
 * Host access through the process's mapping: EBADF without a mapping once
 * the fd is closed, ENODEV without `mmap`; the first access maps the whole
 * file. Pages fault in order; a private page or one past the end is SIGBUS
 * and nothing is copied; ENOMEM is VM_FAULT_OOM (S-ML kvm_gmem_fault_user_mapping),
 * which x86 retries (S-X86F): the folio machine answers for the retry.
 */
export function hostAccess(sim: Simulator, offset: number, length: number, process: number, write?: Payload, into?: Buffer): StepOutcome {
  const file = hostFile(sim, process);
  if (!isFile(file)) return file;
  const first = Math.floor(offset / file.pageSize);
  const last = length > 0 ? Math.floor((offset + length - 1) / file.pageSize) : first - 1;
  const mapped = file.hostMaps.get(process);
  for (let p = first; p <= last; p++) {
    if (p >= file.nPages) return fail('SIGBUS');
    // Pages this process already maps do not fault: the host reads and writes through its PTEs (a run at a time).
    const mappedTo = mapped ? mapped.memberRunEnd(p) : -1;
    if (mappedTo >= 0) {
      p = Math.min(mappedTo, last + 1) - 1;
      continue;
    }
    const refusal = file.runOp(blockOf(file, p), { type: 'hostAccess', page: p % file.blockPages });
    if (refusal) return refused(refusal);
    zeroAtHostFault(file, p);
    exposePages(file, p, p + 1, sim.exposed, 'host');
    file.store.hostMap(process).add(p);
  }
  return transfer(sim.memory, file, offset, length, write, into);
}
