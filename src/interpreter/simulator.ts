/**
 * The guest_memfd simulator: one file over a byte-accurate arena, driven by
 * the machines. Each public method is one operation of DOMAIN 4 with a gloss
 * of what the kernel does; argument checks follow the variant (DOMAIN 7) and
 * TRACE-FORMAT's shared details; everything about pages and folios is asked
 * of the machines through GmemFile.
 */
import type { Errno } from '../../machines/outcome';
import type { Shareability } from '../../machines/policy';
import type { CreateFlag, VariantProfile } from '../../machines/variant';
import { profileOf } from '../../machines/variant';
import { evict } from './evict';
import type { Exposure } from './content';
import { exposePages, zeroAtGuestFault, zeroAtHostFault, zeroPages } from './content';
import { mapGuest, zapAll } from './stage2';
import { transfer, transferSplit } from './transfer';
import { PhysicalMemory } from '../arena/memory';
import type { MemorySnapshot } from '../arena/memory';
import { HugePool } from '../arena/pool';
import type { FolioMeta, PoolSnapshot } from '../arena/pool';
import type { FileGeometry, FileSettings } from './file-parts';
import { GmemFile } from './gmem-file';
import type { GmemFileSnapshot } from './gmem-file';
import type { SimConfig } from './config';
import type { Payload, StepOutcome } from './outcome';
import { fail, OK, refused } from './outcome';

// The simulator's vocabulary, for callers that drive it and import from here only.
export type { CreateFlag };

/** Why create refuses, in TRACE-FORMAT's order: size, then the tree's flag rules; ENOMEM is the pool's. */
export function createRefusal(config: Pick<SimConfig, 'variant' | 'pageSize' | 'hugePageSize'>, size: number, flags: ReadonlyArray<CreateFlag>): Errno | undefined {
  const { pageSize, hugePageSize } = config;
  const profile = profileOf(config.variant);
  const hugetlb = flags.includes('hugetlb');
  if (size <= 0 || size % pageSize !== 0) return 'EINVAL';
  if (hugetlb && hugePageSize > pageSize && size % hugePageSize !== 0) return 'EINVAL';
  // A flag the tree does not know is EINVAL (S-ML612 kvm_gmem_create: `flags & ~valid_flags`, valid_flags 0).
  if (flags.some((f) => !profile.createFlags.includes(f))) return 'EINVAL';
  if (hugetlb && (hugePageSize <= pageSize || !profile.hugetlb)) return 'EINVAL';
  if (hugetlb && flags.includes('init-shared') && profile.hugetlbRefusesInitShared) return 'EINVAL';
  if (flags.includes('init-shared') && !flags.includes('mmap') && profile.initSharedNeedsMmap) return 'EINVAL';
  return undefined;
}

/** The shape and settings of the file a create that createRefusal lets through makes. */
export function newFileOf(config: SimConfig, size: number, flags: ReadonlyArray<CreateFlag>): { geometry: FileGeometry; settings: FileSettings } {
  const { pageSize, hugePageSize, variant } = config;
  const hugetlb = flags.includes('hugetlb');
  return {
    geometry: { size, pageSize, blockPages: hugetlb ? hugePageSize / pageSize : 1, hugetlb, mmap: flags.includes('mmap'), initShared: flags.includes('init-shared') },
    settings: { variant, profile: profileOf(variant), vmType: config.vmType, policy: config.policy, faults: new Set(config.faults ?? []) },
  };
}

/** The whole machine's state: the configuration, the arena and the file. A snapshot shares the live structures; Simulator.fromSnapshot copies them. */
export interface SimulatorSnapshot {
  readonly config: SimConfig;
  readonly memory: MemorySnapshot;
  readonly pool: PoolSnapshot;
  readonly file: GmemFileSnapshot | undefined;
}

export class Simulator {
  /** The fields no snapshot carries, and why (test/snapshot-fields.test.ts holds every other field to the snapshot). */
  static readonly NOT_IN_SNAPSHOT = {
    baseline: 'the pool as the configuration makes it',
    exposed: 'per-step scratch, emptied by the step runner',
    convertFailure: 'per-step scratch, cleared by the step runner',
    impossibleAccess: 'per-step scratch, cleared by the step runner',
  };

  readonly memory: PhysicalMemory;
  readonly pool: HugePool;
  readonly baseline: { free: number; rsvd: number; cgroupRsvd: number; cgroupUsage: number };
  file?: GmemFile;
  /** page ranges first exposed by the current step (INV-9's coverage). */
  exposed: Exposure[] = [];
  /** the unit (pages [from, to)) at which the last conversion failed, for INV-12. */
  convertFailure?: { from: number; to: number };
  /**
   * The first page of the current step whose shareability a sw-protected
   * guest access's explicit `access` contradicted when the access reached it:
   * input that cannot happen (E8), which replay reports as an invalid trace
   * (TRACE-FORMAT Validity, found at run time). Reset by the step runner.
   */
  impossibleAccess?: { page: number; access: Shareability; shareability: Shareability };

  /** `storage.slabPages`: how many pages a slab of the arena holds (storage only: no answer depends on it). */
  constructor(
    readonly config: SimConfig,
    storage: { slabPages?: number } = {},
  ) {
    this.memory = new PhysicalMemory(config.pageSize, storage.slabPages);
    this.pool = new HugePool(config.poolHugePages, Math.max(1, config.hugePageSize / config.pageSize));
    this.baseline = { free: this.pool.free, rsvd: this.pool.rsvd, cgroupRsvd: 0, cgroupUsage: 0 };
  }

  /**
   * A machine in the state `state` describes, everything copied: each folio
   * once, so the pool's metadata, the file's records and the pins that share
   * a folio there share its copy here. Nothing has happened yet in the step.
   */
  static fromSnapshot(state: SimulatorSnapshot): Simulator {
    const copies = new Map<FolioMeta, FolioMeta>();
    const copyOfFolio = (folio: FolioMeta): FolioMeta => {
      let copy = copies.get(folio);
      if (!copy) copies.set(folio, (copy = { ...folio, pins: new Map(folio.pins) }));
      return copy;
    };
    const sim = new Simulator(state.config, { slabPages: state.memory.slabPages });
    sim.memory.restore(state.memory);
    sim.pool.restore(state.pool, copyOfFolio);
    if (state.file) sim.file = new GmemFile(state.file, sim.pool, sim.memory, copyOfFolio);
    return sim;
  }

  snapshot(): SimulatorSnapshot {
    return { config: this.config, memory: this.memory.snapshot(), pool: this.pool.snapshot(), file: this.file?.snapshot() };
  }

  /** An independent copy of the whole machine (the explorer forks a state per step it tries). */
  clone(): Simulator {
    return Simulator.fromSnapshot(this.snapshot());
  }

  get profile(): VariantProfile {
    return profileOf(this.config.variant);
  }

  /** KVM_CREATE_GUEST_MEMFD: checks size, then the variant's flag rules, then reserves the pool and charges the cgroup (S-ML, S-V2h, S-Wh gmem_hugetlb_setup). */
  create(size: number, flags: ReadonlyArray<CreateFlag>): StepOutcome {
    const refusal = createRefusal(this.config, size, flags);
    if (refusal) return fail(refusal);
    const { geometry, settings } = newFileOf(this.config, size, flags);
    const blocks = size / geometry.pageSize / geometry.blockPages;
    if (geometry.hugetlb && this.pool.unreserved < blocks) return fail('ENOMEM');
    if (geometry.hugetlb) {
      this.pool.reserve(blocks);
      this.pool.cgroupRsvd += blocks;
    }
    // A new file holds no folio, so none needs a copy.
    this.file = new GmemFile(GmemFile.initial(geometry, settings, this.pool), this.pool, this.memory, (folio) => folio);
    return OK;
  }

  /**
   * Host access through the process's mapping: EBADF without a mapping once
   * the fd is closed, ENODEV without `mmap`; the first access maps the whole
   * file. Pages fault in order; a private page or one past the end is SIGBUS
   * and nothing is copied; ENOMEM is VM_FAULT_OOM (S-ML kvm_gmem_fault_user_mapping),
   * which x86 retries (S-X86F): the folio machine answers for the retry.
   */
  hostAccess(offset: number, length: number, process: number, write?: Payload, into?: Buffer): StepOutcome {
    const file = this.hostFile(process);
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
      exposePages(file, p, p + 1, this.exposed, 'host');
      file.store.hostMap(process).add(p);
    }
    return transfer(this.memory, file, offset, length, write, into);
  }

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
  guestAccess(offset: number, length: number, access: Shareability | undefined, write?: Payload): StepOutcome {
    if (!this.file) return { kind: 'nofile' };
    const file = this.file;
    if (file.closed) return fail('EBADF');
    for (const p of pagesOf(offset, length, file.pageSize)) {
      if (p >= file.nPages) return fail('EFAULT');
      if (access !== undefined && this.config.vmType === 'sw-protected' && !this.impossibleAccess && access !== file.shareability(p)) {
        this.impossibleAccess = { page: p, access, shareability: file.shareability(p) };
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
      mapGuest(file, p, type, this.exposed);
    }
    return file.slotMemory ? transferSplit(this.memory, file, offset, length, write) : transfer(this.memory, file, offset, length, write);
  }

  /**
   * munmap of a host range: removes the process's PTEs; offset 0 and length
   * >= size drops its mapping of the file, and with the fd closed and no
   * other mapping the inode is evicted within the step (TRACE-FORMAT lifetime).
   */
  munmap(offset: number, length: number, process: number): StepOutcome {
    if (!this.file) return { kind: 'nofile' };
    const file = this.file;
    if (file.closed) return fail('EBADF');
    if (offset % file.pageSize !== 0 || length === 0) return fail('EINVAL');
    const mapped = file.hostMaps.get(process);
    const span = Math.min(length, Math.max(0, file.geometry.size - offset));
    if (mapped && span > 0) {
      // Only the pages the process maps have PTEs to remove: walk its mapping's runs, not the range's pages.
      const first = Math.floor(offset / file.pageSize);
      const last = Math.floor((offset + span - 1) / file.pageSize) + 1;
      for (const p of [...mapped.pages(first, last)]) {
        file.runOp(blockOf(file, p), { type: 'munmap', page: p % file.blockPages });
        mapped.delete(p);
      }
    }
    const lifetime = file.lifetime;
    if (offset === 0 && length >= file.geometry.size && lifetime.unmappedBy(process)) {
      file.store.dropHostMap(process);
      if (!lifetime.fdOpen && lifetime.mappers.size === 0 && !lifetime.released) evict(file);
    }
    return OK;
  }

  /** close(fd): fd operations become EBADF; the file lives while a process maps it, else it is evicted now (S-ML kvm_gmem_release). */
  closeFd(): StepOutcome {
    const file = this.fdFile();
    if (!isFile(file)) return file;
    file.lifetime.closeFd();
    if (file.lifetime.mappers.size === 0) evict(file);
    return OK;
  }

  /** Deletes the memslot: every stage-2 mapping goes; the file is unaffected; a second unbind is EINVAL. */
  unbind(): StepOutcome {
    if (!this.file) return { kind: 'nofile' };
    const file = this.file;
    if (file.closed) return fail('EBADF');
    if (!file.bound) return fail('EINVAL');
    file.lifetime.unbind();
    zapAll(file);
    return OK;
  }

  /** [model] the VM and its processes go: fd, mappings and binding at once, then eviction; EBADF once the references are gone. */
  close(): StepOutcome {
    if (!this.file) return { kind: 'nofile' };
    const file = this.file;
    if (file.closed || file.released) return fail('EBADF');
    file.lifetime.closeAll();
    file.store.dropHostMaps();
    evict(file);
    return OK;
  }

  /**
   * The file for a VM ioctl: where the attributes live on the VM
   * (profile.attributes 'vm'), convert is KVM_SET_MEMORY_ATTRIBUTES on the VM
   * fd, which the file's fd closing does not reach; EBADF only once `close`
   * took the VM (S-ML612 kvm_vm_ioctl_set_mem_attributes; DOMAIN 7.4).
   */
  vmFile(): GmemFile | StepOutcome {
    if (!this.file) return { kind: 'nofile' };
    if (this.file.closed) return fail('EBADF');
    return this.file;
  }

  /** The file for an fd operation (convert, fallocate, punch, closeFd): EBADF once the fd is closed. */
  fdFile(): GmemFile | StepOutcome {
    if (!this.file) return { kind: 'nofile' };
    if (!this.file.fdOpen || this.file.closed) return fail('EBADF');
    return this.file;
  }

  /**
   * The file for a host access or pin by `process`: EBADF without a mapping
   * once the fd is closed, then ENODEV without `mmap`; the first access while
   * the fd is open maps the whole file (TRACE-FORMAT lifetime).
   */
  hostFile(process: number): GmemFile | StepOutcome {
    if (!this.file) return { kind: 'nofile' };
    const file = this.file;
    if (file.closed || file.released) return fail('EBADF');
    if (!file.lifetime.mappers.has(process) && !file.lifetime.fdOpen) return fail('EBADF');
    if (!file.geometry.mmap) return fail('ENODEV');
    file.lifetime.mappedBy(process);
    return file;
  }

  /** The file, or the outcome for an operation that cannot reach it: EBADF after eviction. */
  openFile(): GmemFile | StepOutcome {
    if (!this.file) return { kind: 'nofile' };
    if (this.file.closed || this.file.released) return fail('EBADF');
    return this.file;
  }
}

/** Narrows what openFile() returned. */
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

