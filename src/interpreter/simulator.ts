/**
 * The guest_memfd simulator: one file over a byte-accurate arena, driven by
 * the machines. Each public method is one operation of DOMAIN 4 with a gloss
 * of what the kernel does; argument checks follow the variant (DOMAIN 7) and
 * TRACE-FORMAT's shared details; everything about pages and folios is asked
 * of the machines through GmemFile.
 */
import type { Errno } from '../../machines/outcome';
import type { Policy, Shareability, Variant, VmType } from '../../machines/policy';
import { DEFAULT_POLICY } from '../../machines/policy';
import { PhysicalMemory } from '../arena/memory';
import { HugePool } from '../arena/pool';
import { GmemFile } from './gmem-file';
import { deleteRange } from './page-sets';

/**
 * Seeded bugs, for proving that the generated tests bite (issue: model-based
 * test generation). Injected through the configuration by tests only.
 */
export const FAULTS = [
  'lazy-split',
  'merge-without-refcount-check',
  'punch-resets-shareability',
  'piecemeal-pool-return',
  'to-private-forgets-other-processes',
  'no-zero-on-first-fault',
  'stale-huge-guest-mapping',
] as const;
export type FaultName = (typeof FAULTS)[number];

export interface SimConfig {
  /** seeded bugs to inject (tests only). */
  faults?: ReadonlyArray<FaultName>;
  variant: Variant;
  vmType: VmType;
  pageSize: number;
  hugePageSize: number;
  poolHugePages: number;
  policy: Policy;
}

export type StepOutcome =
  | { kind: 'ok'; data?: Uint8Array }
  | { kind: 'error'; error: Errno; exit?: 'memory-fault'; errorOffset?: number }
  /** the operation needs a file and no create has succeeded. */
  | { kind: 'nofile' };

export type CreateFlag = 'mmap' | 'init-shared' | 'hugetlb';
export type Payload = { data: Buffer } | { fill: number; length: number };

const OK: StepOutcome = { kind: 'ok' };
const fail = (error: Errno, extra: { exit?: 'memory-fault'; errorOffset?: number } = {}): StepOutcome => ({ kind: 'error', error, ...extra });

export function defaultConfig(partial: Omit<Partial<SimConfig>, 'policy'> & { policy?: Partial<Policy> } = {}): SimConfig {
  const variant = partial.variant ?? 'rfc-v2';
  const pageSize = partial.pageSize ?? 4096;
  return {
    variant,
    vmType: partial.vmType ?? 'sw-protected',
    pageSize,
    hugePageSize: partial.hugePageSize ?? (variant === 'inplace-v8' ? pageSize : 2 * 1024 * 1024),
    poolHugePages: partial.poolHugePages ?? 0,
    policy: { ...DEFAULT_POLICY, ...partial.policy },
  };
}

export class Simulator {
  readonly memory: PhysicalMemory;
  readonly pool: HugePool;
  readonly baseline: { free: number; rsvd: number };
  file?: GmemFile;
  /** pages first exposed by the current step, and whether they read zero then (INV-9). */
  exposed: Array<{ page: number; readZero: boolean }> = [];
  /** the unit (pages [from, to)) at which the last conversion failed, for INV-12. */
  convertFailure?: { from: number; to: number };

  constructor(readonly config: SimConfig) {
    this.memory = new PhysicalMemory(config.pageSize);
    this.pool = new HugePool(config.poolHugePages, Math.max(1, config.hugePageSize / config.pageSize));
    this.baseline = { free: this.pool.free, rsvd: this.pool.rsvd };
  }

  /** KVM_CREATE_GUEST_MEMFD: checks size, then the variant's flag rules, then reserves the pool (S-ML, S-V2h). */
  create(size: number, flags: ReadonlyArray<CreateFlag>): StepOutcome {
    const { pageSize, hugePageSize, variant } = this.config;
    const hugetlb = flags.includes('hugetlb');
    const initShared = flags.includes('init-shared');
    if (size <= 0 || size % pageSize !== 0) return fail('EINVAL');
    if (hugetlb && hugePageSize > pageSize && size % hugePageSize !== 0) return fail('EINVAL');
    if (hugetlb && (hugePageSize <= pageSize || variant === 'inplace-v8')) return fail('EINVAL');
    if (hugetlb && initShared && variant === 'wip-2025-12') return fail('EINVAL');
    const blockPages = hugetlb ? hugePageSize / pageSize : 1;
    const blocks = size / pageSize / blockPages;
    if (hugetlb && this.pool.unreserved < blocks) return fail('ENOMEM');
    if (hugetlb) this.pool.reserve(blocks);
    this.file = new GmemFile(
      { size, pageSize, blockPages, hugetlb, mmap: flags.includes('mmap'), initShared },
      { variant, vmType: this.config.vmType, policy: this.config.policy, faults: new Set(this.config.faults ?? []) },
      this.pool,
      this.memory,
    );
    return OK;
  }

  /** Host access through the mmap: pages fault in order; a private page or one past the end is SIGBUS and nothing is copied (S-ML). */
  hostAccess(offset: number, length: number, process: number, write?: Payload, into?: Buffer): StepOutcome {
    const file = this.openFile();
    if (!isFile(file)) return file;
    if (!file.geometry.mmap) return fail('ENODEV');
    const first = Math.floor(offset / file.pageSize);
    const last = length > 0 ? Math.floor((offset + length - 1) / file.pageSize) : first - 1;
    const mapped = file.hostMaps.get(process);
    for (let p = first; p <= last; p++) {
      if (p >= file.nPages) return fail('SIGBUS');
      // A page this process already maps does not fault: the host reads and writes through its PTE.
      if (mapped?.has(p)) continue;
      const refusal = file.runOp(blockOf(file, p), { type: 'hostAccess', page: p % file.blockPages });
      // ENOMEM in a fault is SIGBUS (TRACE-FORMAT host access).
      if (refusal) return fail(refusal.errno === 'ENOMEM' ? 'SIGBUS' : refusal.errno);
      this.expose(file, p);
      mapIn(file.hostMaps, process, p);
    }
    return this.transfer(file, offset, length, write, into);
  }

  /** Guest access through stage-2 (kvm_gmem_get_pfn): a mismatched access type exits to userspace (S-ML, S-TDX). */
  guestAccess(offset: number, length: number, access: Shareability | undefined, write?: Payload): StepOutcome {
    const file = this.openFile();
    if (!isFile(file)) return file;
    for (const p of pagesOf(offset, length, file.pageSize)) {
      if (p >= file.nPages) return fail('EFAULT');
      const type = access ?? file.shareability(p);
      const block = file.blocks[blockOf(file, p)]!;
      const mapped = block.guestHuge || file.guest4k.has(p);
      if (mapped && type === file.shareability(p)) continue;
      const refusal = file.runOp(blockOf(file, p), { type: 'guestAccess', page: p % file.blockPages, access: type });
      if (refusal) return fail(refusal.errno, refusal.exit ? { exit: refusal.exit } : {});
      this.expose(file, p);
      this.mapGuest(file, p, type);
    }
    return this.transfer(file, offset, length, write);
  }

  /** Reads or writes the bytes of pages already faulted in; a read lands in `into` when given (as read(2) fills the caller's buffer). */
  private transfer(file: GmemFile, offset: number, length: number, write?: Payload, into?: Buffer): StepOutcome {
    const ps = file.pageSize;
    const blockBytes = ps * file.blockPages;
    // Every byte of `out` is written below (unwritten memory reads as zeroes), so it need not start zeroed.
    if (into && into.length < length) throw new RangeError(`read of ${length} bytes into a buffer of ${into.length}`);
    const out = write ? undefined : (into ?? Buffer.allocUnsafe(length));
    let done = 0;
    while (done < length) {
      // One run per block: a block's frames are consecutive (INV-13), so the arena copies it at once.
      const at = offset + done;
      const n = Math.min(blockBytes - (at % blockBytes), length - done);
      const pfn = file.pfn(Math.floor(at / ps))!;
      const within = at % ps;
      if (!write) this.memory.read(pfn, within, out!, done, n);
      else if ('data' in write) this.memory.write(pfn, within, write.data, done, n);
      else this.memory.fill(pfn, within, write.fill, n);
      done += n;
    }
    return out ? { kind: 'ok', data: out } : OK;
  }

  /**
   * Zero once: pages [from, to) of one block are zeroed before their first
   * exposure and never again while the folio lives (S-ML, S-IP8 21). Only
   * materialised frames need work; unwritten ones read zero.
   */
  expose(file: GmemFile, from: number, to = from + 1): void {
    let fresh = false;
    for (let p = from; p < to && !fresh; p++) fresh = file.uptodate[p] === 0;
    if (!fresh) return;
    const head = file.pfn(from)!;
    const zero = !file.settings.faults.has('no-zero-on-first-fault');
    for (const pfn of this.memory.framesIn(head, head + (to - from))) {
      if (zero && !file.uptodate[from + pfn - head]) this.memory.zeroPage(pfn);
    }
    const dirty = this.memory.framesIn(head, head + (to - from)).some((pfn) => !file.uptodate[from + pfn - head] && !this.memory.isZero(pfn));
    file.uptodate.fill(1, from, to);
    this.exposed.push({ page: from, readZero: !dirty });
  }

  /** A guest fault maps the whole block huge when the folio is huge and the access private, else 4K (TRACE-FORMAT guest access). */
  private mapGuest(file: GmemFile, p: number, type: Shareability): void {
    const b = blockOf(file, p);
    const block = file.blocks[b]!;
    if (type === 'private' && !file.guest4k.has(p) && block.folio.file === 'huge' && file.geometry.hugetlb) {
      // A huge mapping exposes every page of the block: each is zeroed once now, as the whole folio is.
      deleteRange(file.guest4k, b * file.blockPages, (b + 1) * file.blockPages);
      this.expose(file, b * file.blockPages, (b + 1) * file.blockPages);
      block.guestHuge = true;
    } else if (!block.guestHuge) {
      file.guest4k.add(p);
    }
  }

  /** munmap of a host range: changes neither shareability nor folios (DOMAIN 4). */
  munmap(offset: number, length: number, process: number): StepOutcome {
    const file = this.openFile();
    if (!isFile(file)) return file;
    if (offset % file.pageSize !== 0 || length === 0) return fail('EINVAL');
    const mapped = file.hostMaps.get(process);
    for (const p of pagesOf(offset, length, file.pageSize)) {
      if (p >= file.nPages) break;
      file.runOp(blockOf(file, p), { type: 'munmap', page: p % file.blockPages });
      mapped?.delete(p);
    }
    return OK;
  }

  /** The file, or the outcome for an operation that cannot reach it. */
  openFile(): GmemFile | StepOutcome {
    if (!this.file) return { kind: 'nofile' };
    if (!this.file.fdOpen) return fail('EBADF');
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

export function mapIn(maps: Map<number, Set<number>>, process: number, page: number): void {
  let pages = maps.get(process);
  if (!pages) maps.set(process, (pages = new Set()));
  pages.add(page);
}

export { OK, fail };
