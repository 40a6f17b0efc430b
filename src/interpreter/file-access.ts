/**
 * How an operation reaches the file, and the page and block arithmetic the
 * operations share: each lookup returns the file, or the outcome of an
 * operation that cannot reach it (no file, EBADF, ENODEV).
 */
import type { Simulator } from './simulator';
import { GmemFile } from './gmem-file';
import type { StepOutcome } from './outcome';
import { fail } from './outcome';

/**
 * The file for a VM ioctl: where the attributes live on the VM
 * (profile.attributes 'vm'), convert is KVM_SET_MEMORY_ATTRIBUTES on the VM
 * fd, which the file's fd closing does not reach; EBADF only once `close`
 * took the VM (S-ML612 kvm_vm_ioctl_set_mem_attributes; DOMAIN 7.4).
 */
export function vmFile(sim: Simulator): GmemFile | StepOutcome {
  if (!sim.file) return { kind: 'nofile' };
  if (sim.file.closed) return fail('EBADF');
  return sim.file;
}

/** The file for an fd operation (convert, fallocate, punch, closeFd): EBADF once the fd is closed. */
export function fdFile(sim: Simulator): GmemFile | StepOutcome {
  if (!sim.file) return { kind: 'nofile' };
  if (!sim.file.fdOpen || sim.file.closed) return fail('EBADF');
  return sim.file;
}

/**
 * The file for a host access or pin by `process`: EBADF without a mapping
 * once the fd is closed, then ENODEV without `mmap`; the first access while
 * the fd is open maps the whole file (TRACE-FORMAT lifetime).
 */
export function hostFile(sim: Simulator, process: number): GmemFile | StepOutcome {
  if (!sim.file) return { kind: 'nofile' };
  const file = sim.file;
  if (file.closed || file.released) return fail('EBADF');
  if (!file.lifetime.mappers.has(process) && !file.lifetime.fdOpen) return fail('EBADF');
  if (!file.geometry.mmap) return fail('ENODEV');
  file.lifetime.mappedBy(process);
  return file;
}

/** The file, or the outcome for an operation that cannot reach it: EBADF after eviction. */
export function openFile(sim: Simulator): GmemFile | StepOutcome {
  if (!sim.file) return { kind: 'nofile' };
  if (sim.file.closed || sim.file.released) return fail('EBADF');
  return sim.file;
}

/** Narrows what a lookup returned. */
export function isFile(x: GmemFile | StepOutcome): x is GmemFile {
  return x instanceof GmemFile;
}

export function pagesOf(offset: number, length: number, pageSize: number): number[] {
  if (length <= 0) return [];
  const first = Math.floor(offset / pageSize);
  const last = Math.floor((offset + length - 1) / pageSize);
  const out: number[] = [];
  for (let p = first; p <= last; p++) out.push(p);
  return out;
}

export function blockOf(file: GmemFile, page: number): number {
  return Math.floor(page / file.blockPages);
}
