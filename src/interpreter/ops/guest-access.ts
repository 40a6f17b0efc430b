/**
 * guestRead / guestWrite: the guest's access through stage-2; the
 * `guestRead` and `guestWrite` rows of the operation table (src/engine/operations.ts).
 */
import type { Shareability } from '../../../machines/policy';
import { zeroAtGuestFault, zeroPages } from '../content';
import { blockOf, pagesOf } from '../file-access';
import type { Payload, StepOutcome } from '../outcome';
import { fail, refused } from '../outcome';
import type { Simulator } from '../simulator';
import { mapGuest } from '../stage2';
import { transfer, transferSplit } from '../transfer';

/**
 * Guest access through stage-2 (kvm_gmem_get_pfn): beyond size EFAULT; a
 * gone binding or a mismatched access type exits to userspace with the
 * memory-fault payload of the first such page (S-KVM, S-TDX). A mapped page
 * does not fault; a fault zeroes per tree and maps per DOMAIN 7.2. Where
 * shared memory is the memslot's (profile.sharedMemory), a shared access to
 * a shared page never reaches the file: KVM maps the userspace page
 * (__kvm_faultin_pfn), before and after the file's release (S-ML612).
 * A sw-protected VM's access type is the page's attribute
 * (S-KVM `kvm_mmu_page_fault` takes it from `kvm_mem_is_private`): an
 * explicit `access` contradicting it where the access reaches a page is
 * noted in `impossibleAccess` (replay: invalid input); the access then
 * runs as given, for callers that ask no validity (the block walk).
 */
export function guestAccess(sim: Simulator, offset: number, length: number, access: Shareability | undefined, write?: Payload): StepOutcome {
  if (!sim.file) return { kind: 'nofile' };
  const file = sim.file;
  if (file.closed) return fail('EBADF');
  for (const p of pagesOf(offset, length, file.pageSize)) {
    if (p >= file.nPages) return fail('EFAULT');
    if (access !== undefined && sim.config.vmType === 'sw-protected' && !sim.impossibleAccess && access !== file.shareability(p)) {
      sim.impossibleAccess = { page: p, access, shareability: file.shareability(p) };
    }
    const type = access ?? file.shareability(p);
    const memoryFault = { exit: 'memory-fault' as const, memoryFault: { offset: p * file.pageSize, size: file.pageSize, private: type === 'private' } };
    // No memslot: a private fault exits (kvm_handle_noslot_fault), a shared one is MMIO to KVM [model: EFAULT].
    if (!file.bound) return type === 'private' ? fail('EFAULT', memoryFault) : fail('EFAULT');
    if (file.slotMemory && type === 'shared' && file.shareability(p) === 'shared') {
      // The memslot's userspace memory, not the file: a 4K stage-2 mapping of it, no folio, nothing exposed (S-ML612, DOMAIN 7.4).
      file.guest4k.add(p);
      continue;
    }
    // The file was released: kvm_gmem_get_pfn fails and the fault exits to userspace.
    if (file.released) return fail('EFAULT', memoryFault);
    const mapped = file.block(blockOf(file, p)).guestHuge || file.guest4k.has(p);
    if (mapped && type === file.shareability(p)) continue;
    const refusal = file.runOp(blockOf(file, p), { type: 'guestAccess', page: p % file.blockPages, access: type });
    if (refusal) return refused(refusal, refusal.exit ? memoryFault : {});
    // In-place tdx: the accept of a page made private zeroes it (TDH.MEM.PAGE.AUG + TDG.MEM.PAGE.ACCEPT; DOMAIN 6).
    if (type === 'private' && file.store.acceptPending.delete(p)) zeroPages(file, p, p + 1, 'the accept', { from: p, to: p + 1 });
    zeroAtGuestFault(file, p);
    mapGuest(file, p, type, sim.exposed);
  }
  return file.slotMemory ? transferSplit(sim.memory, file, offset, length, write) : transfer(sim.memory, file, offset, length, write);
}
