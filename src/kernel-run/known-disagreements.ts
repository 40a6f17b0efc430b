/**
 * Where the model and the running 6.12 kernel are known to answer a guest
 * access differently, and the trace format cannot yet say what the kernel
 * does (docs/KERNEL-RUN.md "Disagreements"):
 *
 * - a shared access where no memslot is (after `unbind`): 6.12 exits with
 *   KVM_EXIT_MMIO (`kvm_handle_noslot_fault`, arch/x86/kvm/mmu/mmu.c), the
 *   contract says EFAULT without a memory-fault exit;
 * - any access past the file's end: the memslot ends with the file, so a
 *   shared one is the same MMIO exit, and a private one is a memory-fault
 *   exit, while the model keeps no attributes beyond the file.
 *
 * Generated traces (random walks, the explorer's paths) leave such steps
 * out; hand-written traces do not use them.
 */
import type { Simulator } from '../interpreter/simulator';
import type { TraceStep } from '../trace/schema';

/** Why this step, taken now, is one where model and kernel are known to disagree; undefined when it is not. */
export function knownDisagreement(sim: Simulator, step: TraceStep): string | undefined {
  if (step.op !== 'guestRead' && step.op !== 'guestWrite') return undefined;
  const file = sim.file;
  if (!file) return undefined;
  const length = step.op === 'guestRead' ? step.length : (step.length ?? (step.data?.length ?? 0) / 2);
  const ps = file.pageSize;
  if (step.offset + length > file.nPages * ps) return 'a guest access past the end of the file';
  if (!file.bound) {
    for (let p = Math.floor(step.offset / ps); p * ps < step.offset + length; p++) {
      if (file.shareability(p) === 'shared') return 'a shared guest access with no memslot';
    }
  }
  return undefined;
}
