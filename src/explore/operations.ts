/**
 * Every operation of the trace contract (docs/TRACE-FORMAT.md) with every
 * argument in scope, as gmem-trace/1 step objects: the explorer runs them
 * through the same step runner as `gmem replay`, so a counterexample is a
 * trace as it stands. Adding an op is adding a line to OP_GENERATORS.
 */
import type { VmType } from '../../machines/policy';
import { SHAREABILITY } from '../../machines/policy';
import type { TraceStep } from '../trace/schema';
import { stepSchema } from '../trace/schema';

export interface Scope {
  blocks: number;
  /** pages per block (hugePageSize = pages x pageSize). */
  pages: number;
  processes: number;
  /** pins held at once, at most (a state constraint, as TLC's CONSTRAINT). */
  pins: number;
  /** distinct nonzero byte values a write may fill a page with. */
  values: number;
  /** steps from the empty machine, counting the create. */
  depth: number;
  /** huge pages in the pool before create (default: what create reserves). */
  pool?: number;
  /** states that differ only by a renaming of processes or data values are one (src/explore/symmetry.ts); off when absent. */
  symmetry?: boolean;
}

export const PAGE_SIZE = 16;

export const DEFAULT_SCOPE: Scope = { blocks: 2, pages: 4, processes: 2, pins: 1, values: 2, depth: 5 };

export type Step = Exclude<TraceStep, { op: 'check' }>;
type Op = Step['op'];

export interface Geometry {
  pageSize: number;
  nPages: number;
  size: number;
  processes: number;
  values: number[];
  /**
   * The `access` a guest access may give. A sw-protected VM's access type is
   * the page's attribute (S-KVM `kvm_mmu_page_fault` takes it from
   * `kvm_mem_is_private`; DOMAIN 4, E8): an access of the other type cannot
   * happen and is invalid input (TRACE-FORMAT Validity), so there the access
   * is left to the attribute (omitted). tdx and snp guests choose it.
   */
  accesses: ReadonlyArray<'shared' | 'private' | undefined>;
}

/** `vmType`: the VM type explored, which decides the guest accesses. */
export function geometryOf(scope: Scope, vmType: VmType): Geometry {
  const nPages = scope.blocks * scope.pages;
  return {
    pageSize: PAGE_SIZE,
    nPages,
    size: nPages * PAGE_SIZE,
    processes: scope.processes,
    values: Array.from({ length: scope.values }, (_, k) => 0x11 * (k + 1)),
    accesses: vmType === 'sw-protected' ? [undefined] : SHAREABILITY,
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Every page-aligned range [i, j) of the file, as offset and length. */
const ranges = (g: Geometry) => range(g.nPages).flatMap((i) => range(g.nPages - i).map((l) => ({ offset: i * g.pageSize, length: (l + 1) * g.pageSize })));
const pages = (g: Geometry) => range(g.nPages).map((p) => p * g.pageSize);
const withProcess = (process: number) => (process === 0 ? {} : { process });
const hex = (v: number) => v.toString(16).padStart(2, '0');
const withAccess = (access: 'shared' | 'private' | undefined) => (access === undefined ? {} : { access });

/** One generator per contract op: the steps it contributes in scope. */
export const OP_GENERATORS: { [K in Exclude<Op, 'create'>]: (g: Geometry) => Array<Extract<Step, { op: K }>> } = {
  hostRead: (g) => pages(g).flatMap((offset) => range(g.processes).map((q) => ({ op: 'hostRead' as const, offset, length: g.pageSize, ...withProcess(q) }))),
  hostWrite: (g) =>
    pages(g).flatMap((offset) => range(g.processes).flatMap((q) => g.values.map((v) => ({ op: 'hostWrite' as const, offset, fill: hex(v), length: g.pageSize, ...withProcess(q) })))),
  guestRead: (g) => pages(g).flatMap((offset) => g.accesses.map((access) => ({ op: 'guestRead' as const, offset, length: g.pageSize, ...withAccess(access) }))),
  guestWrite: (g) => pages(g).flatMap((offset) => g.accesses.flatMap((access) => g.values.map((v) => ({ op: 'guestWrite' as const, offset, fill: hex(v), length: g.pageSize, ...withAccess(access) })))),
  convert: (g) => ranges(g).flatMap((r) => SHAREABILITY.map((to) => ({ op: 'convert' as const, ...r, to }))),
  fallocate: (g) => ranges(g).map((r) => ({ op: 'fallocate' as const, ...r })),
  punchHole: (g) => ranges(g).map((r) => ({ op: 'punchHole' as const, ...r })),
  pin: (g) => pages(g).flatMap((offset) => range(g.processes).map((q) => ({ op: 'pin' as const, offset, ...withProcess(q) }))),
  unpin: (g) => pages(g).map((offset) => ({ op: 'unpin' as const, offset })),
  munmap: (g) => ranges(g).flatMap((r) => range(g.processes).map((q) => ({ op: 'munmap' as const, ...r, ...withProcess(q) }))),
  closeFd: () => [{ op: 'closeFd' }],
  unbind: () => [{ op: 'unbind' }],
  close: () => [{ op: 'close' }],
  settle: () => [{ op: 'settle' }],
  inject: () => [{ op: 'inject', fault: 'split-enomem' }],
};

/** The creates the explorer starts from: every flag combination, at the scope's size. */
export function creates(g: Geometry): Array<Extract<Step, { op: 'create' }>> {
  const all = ['mmap', 'init-shared', 'hugetlb'] as const;
  return range(8).map((bits) => ({ op: 'create' as const, size: g.size, flags: all.filter((_, i) => bits & (1 << i)) }));
}

/** Every non-create step in scope, in a fixed order (the order decides which of equal-length counterexamples is reported). */
export function operations(g: Geometry): Step[] {
  const out: Step[] = [];
  for (const gen of Object.values(OP_GENERATORS) as Array<(g: Geometry) => Step[]>) out.push(...gen(g));
  return out;
}

/** The schema's ops, for the test that every one of them is explored. */
export function contractOps(): string[] {
  return stepSchema.options.map((o) => (o.shape as { op: { value: string } }).op.value).filter((op) => op !== 'check');
}

/** A step as one short label (`convert 0+2 private`). */
export function stepLabel(step: Step, pageSize = PAGE_SIZE): string {
  const pg = (o: number) => o / pageSize;
  const q = 'process' in step && step.process ? ` p${step.process}` : '';
  switch (step.op) {
    case 'create':
      return `create [${step.flags.join(',')}]`;
    case 'hostRead':
    case 'guestRead':
      return `${step.op} ${pg(step.offset)}${'access' in step && step.access ? ` ${step.access}` : ''}${q}`;
    case 'hostWrite':
    case 'guestWrite':
      return `${step.op} ${pg(step.offset)}=${step.fill ?? step.data}${'access' in step && step.access ? ` ${step.access}` : ''}${q}`;
    case 'convert':
      return `convert ${pg(step.offset)}+${pg(step.length)} ${step.to}`;
    case 'fallocate':
    case 'punchHole':
    case 'munmap':
      return `${step.op} ${pg(step.offset)}+${pg(step.length)}${q}`;
    case 'pin':
    case 'unpin':
      return `${step.op} ${pg(step.offset)}${q}`;
    case 'inject':
      return `inject ${step.fault}`;
    default:
      return step.op;
  }
}
