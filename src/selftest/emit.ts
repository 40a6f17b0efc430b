/**
 * One gmem-trace/1 trace as one C kselftest (kselftest_harness.h TEST), or a
 * refusal naming the step the kernel cannot be driven through from userspace.
 * The C runtime the test calls is src/selftest/c/gmem_runtime.c (read by
 * src/selftest/runtime-source.ts); the per-variant uapi block is
 * src/selftest/uapi.ts.
 */
import type { CheckExpectation, Expectation, Mode, Step, Trace, Variant, VmType } from './contract';
// The first value of each policy is the kernel's decision (machines/policy.ts): the only one a kernel can be driven through.
import { DEFAULT_POLICY } from '../../machines/policy';
import { HANG } from '../trace/schema';
import { profileOf } from '../../machines/variant';
import { runtimeC } from './runtime-source';
import { Scale } from './scale';
import { uapiBlock } from './uapi';

export interface Refusal {
  /** JSON path of what cannot be driven, e.g. `$.steps[3]` */
  path: string;
  /** the op at that step, or the config key */
  what: string;
  reason: string;
}

export type Emitted = { ok: true; name: string; fileName: string; testName: string; source: string } | { ok: false; refusal: Refusal };

const HUGETLB_VARIANTS: ReadonlyArray<Variant> = ['rfc-v2', 'wip-2025-12', 'tdx-huge-v3'];
const SZ_2M = 2 * 1024 * 1024;
const SZ_1G = 1024 * 1024 * 1024;
const IO_MAX = 65536;
const MAX_PROCS = 8;

/** A C identifier from a trace name: `pin-refuses-x` -> `pin_refuses_x`. */
export function sanitize(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'trace';
  return /^[0-9]/.test(id) ? `t_${id}` : id;
}

/** The file a trace is written to (and its kselftest binary's name). */
export function fileNameOf(trace: Trace): string {
  return `gmem_${sanitize(trace.name)}`;
}

interface Geometry {
  variant: Variant;
  vmType: VmType;
  pageSize: number;
  hugePageSize: number;
}

function geometryOf(trace: Trace): Geometry {
  const variant = trace.config?.variant ?? 'rfc-v2';
  const pageSize = trace.config?.pageSize ?? 4096;
  return {
    variant,
    vmType: trace.config?.vmType ?? 'sw-protected',
    pageSize,
    hugePageSize: trace.config?.hugePageSize ?? (HUGETLB_VARIANTS.includes(variant) ? SZ_2M : pageSize),
  };
}

/** TRACE-FORMAT "Create and pool": what the first create with hugetlb the variant accepts would reserve. */
function poolOf(trace: Trace, g: Geometry): number {
  if (trace.config?.poolHugePages !== undefined) return trace.config.poolHugePages;
  const create = trace.steps.find((s) => s.op === 'create' && s.flags.includes('hugetlb'));
  if (!create || create.op !== 'create') return 0;
  const valid = HUGETLB_VARIANTS.includes(g.variant) && g.hugePageSize > g.pageSize && create.size > 0 && create.size % g.hugePageSize === 0;
  return valid ? create.size / g.hugePageSize : 0;
}

class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.reason);
  }
}

const refuse = (path: string, what: string, reason: string): never => {
  throw new Refused({ path, what, reason });
};

/**
 * Why a step expected never to return (INV-14, `"HANG"`) is refused rather
 * than run under a timeout. The hang is an endless loop or spin inside the
 * ioctl holding `filemap_invalidate_lock` (K10, S-V2c
 * `kvm_gmem_restructure_folios_in_range`). A child process or thread stuck
 * there never takes a signal (signals are delivered on the way back to
 * userspace), so alarm() cannot end it and kill cannot reap it; a PASS on
 * "did not return within N s" would leave a task spinning on a CPU and the
 * file's lock held for the rest of the run, where the harness's teardown
 * (kvm_vm_free) and every later test touching the file would block or warn
 * (soft lockup). And a timeout cannot tell a hang from a slow operation.
 */
export const HANG_REFUSAL =
  'an operation expected never to return spins in the kernel holding filemap_invalidate_lock: a child or thread stuck there takes no signal (alarm() cannot end it, kill cannot reap it), so a timeout PASS would leave the task spinning and the lock held for the rest of the run, and could not tell a hang from a slow operation';

const FALLOC: Record<Mode, string> = {
  'keep-size': 'FALLOC_FL_KEEP_SIZE',
  'punch-hole': 'FALLOC_FL_PUNCH_HOLE',
  'zero-range': 'FALLOC_FL_ZERO_RANGE',
  'collapse-range': 'FALLOC_FL_COLLAPSE_RANGE',
  'insert-range': 'FALLOC_FL_INSERT_RANGE',
  'unshare-range': 'FALLOC_FL_UNSHARE_RANGE',
};

function modeExpr(mode: ReadonlyArray<Mode>): string {
  return mode.length === 0 ? '0' : mode.map((m) => FALLOC[m]).join(' | ');
}

const hexBytes = (hex: string): string[] => hex.match(/../g)?.map((b) => `0x${b}`) ?? [];
const bytesLiteral = (hex: string): string => `(const uint8_t[]){ ${hexBytes(hex).join(', ')} }`;
const num = (n: number): string => (n >= 2 ** 31 ? `0x${n.toString(16)}ULL` : n >= 4096 ? `0x${n.toString(16)}` : String(n));
const cString = (s: string): string => JSON.stringify(s);
const comment = (s: string): string => s.replace(/\*\//g, '* /');

/** Tracks what the generator must know statically: shareability per page, whether the fd is open. */
class Shadow {
  pages: Array<'shared' | 'private' | 'unknown'> = [];
  size = 0;
  fdOpen = false;
  vmGone = false;
  mmap = false;
  constructor(private readonly g: Geometry) {}

  created(size: number, flags: ReadonlyArray<string>): void {
    this.size = size;
    this.mmap = flags.includes('mmap');
    const start = flags.includes('init-shared') && !(this.g.variant === 'rfc-v2' && !this.mmap) ? 'shared' : 'private';
    this.pages = new Array<'shared' | 'private' | 'unknown'>(Math.ceil(size / this.g.pageSize)).fill(start);
    this.fdOpen = true;
  }

  converted(offset: number, length: number, to: 'shared' | 'private', expect: Expectation): void {
    const first = Math.floor(offset / this.g.pageSize);
    const end = Math.min(this.pages.length, Math.ceil((offset + length) / this.g.pageSize));
    const err = expect === undefined ? 'unknown' : typeof expect === 'string' ? expect : 'error' in expect ? expect.error : 'unknown';
    if (err === 'EINVAL' || err === 'EBADF') return; // refused before any work
    // rfc-v2 on a file without SUPPORT_SHARED records nothing (DOMAIN K8).
    if (err === 'ok' && this.g.variant === 'rfc-v2' && !this.mmap) return;
    for (let p = first; p < end; p++) this.pages[p] = err === 'ok' ? to : 'unknown';
  }

  /** The shareability every page of a range has, if known and the same. */
  shareability(offset: number, length: number): 'shared' | 'private' | 'unknown' {
    const first = Math.floor(offset / this.g.pageSize);
    const end = Math.min(this.pages.length, Math.ceil((offset + Math.max(length, 1)) / this.g.pageSize));
    const set = new Set(this.pages.slice(first, end));
    return set.size === 1 ? [...set][0]! : 'unknown';
  }
}

/** The headers every generated file includes, in order. */
const INCLUDES = [
  '#include <errno.h>',
  '#include <fcntl.h>',
  '#include <setjmp.h>',
  '#include <signal.h>',
  '#include <stdbool.h>',
  '#include <stdio.h>',
  '#include <stdlib.h>',
  '#include <string.h>',
  '#include <sys/ioctl.h>',
  '#include <sys/mman.h>',
  '#include <sys/socket.h>',
  '#include <sys/stat.h>',
  '#include <sys/uio.h>',
  '#include <sys/wait.h>',
  '#include <unistd.h>',
  '',
  '#include <linux/falloc.h>',
  '#include <linux/kvm.h>',
  '',
  '#include "kvm_util.h"',
  '#include "test_util.h"',
  '#include "ucall_common.h"',
  '#include "kselftest_harness.h"',
];

/**
 * What a generated file holds between its header comment and the runtime
 * (src/selftest/c/gmem_runtime.c): the headers, the variant's uapi block and,
 * where the create ioctl takes a page order, the huge page's. The runtime
 * compiles only after it (test/selftest-compile.test.ts checks that per
 * variant).
 */
export function runtimePrologue(variant: Variant, hugePageOrder: number): string[] {
  return [
    ...INCLUDES,
    '',
    uapiBlock(variant),
    ...(variant === 'wip-2025-12' || variant === 'tdx-huge-v3' ? [`#define GMEM_HUGETLB_PAGE_ORDER\t${hugePageOrder}\t/* the trace's huge page: PAGE_SIZE << ${hugePageOrder} */`, ''] : []),
  ];
}

/** Generates the C test for one trace (see the file comment), or says why it cannot. */
export function emitSelftest(trace: Trace, sourceLabel: string): Emitted {
  try {
    return emit(trace, sourceLabel);
  } catch (err) {
    if (err instanceof Refused) return { ok: false, refusal: err.refusal };
    throw err;
  }
}

function emit(trace: Trace, sourceLabel: string): Emitted {
  // tg: the trace's geometry (what the steps say); g: the kernel's, which the C uses.
  const tg = geometryOf(trace);
  const realHuge = Scale.realHugeFor(tg.pageSize, tg.hugePageSize);
  if (typeof realHuge === 'string') refuse(tg.pageSize > 4096 ? '$.config.pageSize' : '$.config.hugePageSize', `hugePageSize ${tg.hugePageSize}`, realHuge);
  const fileCreate = [...trace.steps].reverse().find((s) => s.op === 'create' && (s.expect === 'ok' || s.expect === undefined)) ?? trace.steps.find((s) => s.op === 'create');
  const hugeFile = fileCreate?.op === 'create' && fileCreate.flags.includes('hugetlb') && HUGETLB_VARIANTS.includes(tg.variant) && tg.hugePageSize > tg.pageSize;
  const sc = new Scale(tg.pageSize, tg.hugePageSize, hugeFile, realHuge as number);
  const g: Geometry = { ...tg, pageSize: sc.realPage, hugePageSize: tg.hugePageSize > tg.pageSize ? (realHuge as number) : sc.realPage };
  for (const [key, value] of Object.entries(trace.config?.policy ?? {})) {
    const kernel = DEFAULT_POLICY[key as keyof typeof DEFAULT_POLICY];
    if (value !== kernel) refuse(`$.config.policy.${key}`, `${key} ${value}`, `a policy the kernel does not implement (its decision is ${key}: ${kernel}); the model only asks what it would expose`);
  }

  const testName = sanitize(trace.name);
  const fileName = fileNameOf(trace);
  const procs = 1 + Math.max(0, ...trace.steps.map((s) => ('process' in s && s.process !== undefined ? s.process : 0)));
  if (procs > MAX_PROCS) refuse('$.steps', `process ${procs - 1}`, `more than ${MAX_PROCS} host processes`);
  const pool = poolOf(trace, tg);
  const needsPool = pool > 0 || trace.steps.some((s) => (s.op === 'create' && s.flags.includes('hugetlb')) || (s.op === 'check' && s.expect.hugetlb !== undefined));
  const needsCgroup = trace.steps.some((s) => s.op === 'check' && (s.expect.hugetlb?.cgroupRsvd !== undefined || s.expect.hugetlb?.cgroupUsage !== undefined));
  const hasGuest = trace.steps.some((s) => s.op === 'guestRead' || s.op === 'guestWrite');
  const mapBytes = sc.pos(Math.max(0, ...trace.steps.map((s) => (s.op === 'create' ? s.size : 0)))) + sc.realBlock;

  const shadow = new Shadow(tg);
  const body: string[] = [];
  trace.steps.forEach((step, i) => {
    // In step order, so a step that cannot be driven before it (an inject) is the one named.
    if (step.op !== 'check' && step.expect === HANG) refuse(`$.steps[${i}]`, `${step.op} "${HANG}"`, HANG_REFUSAL);
    body.push(...emitStep(step, i, { g, tg, sc }, shadow, procs).map((l) => (l ? `\t${l}` : l)));
  });
  if (body[body.length - 1] === '') body.pop();

  const vmTypeC = { 'sw-protected': 'KVM_X86_SW_PROTECTED_VM', tdx: 'KVM_X86_TDX_VM', snp: 'KVM_X86_SNP_VM' }[g.vmType];
  const hugeForCounters = g.hugePageSize > g.pageSize ? g.hugePageSize : SZ_2M;
  // Requirements run in main(), before the harness forks the test: a missing one exits KSFT_SKIP (a SKIP() in the test would exit 0).
  const requirements = [
    `gmem.page_size = ${num(g.pageSize)};`,
    `gmem.huge_page_size = ${num(hugeForCounters)};`,
    `gmem_require(${vmTypeC}, ${cString(vmTypeC)}, ${probeFlags(trace, g, tg)});`,
    ...(needsPool
      ? [`/* The pool before step 0 (TRACE-FORMAT "Create and pool"): ${pool} huge page(s), all free. */`, `__TEST_REQUIRE(gmem_set_pool(${pool}), "needs root and ${pool} free ${hugeForCounters >> 20} MiB huge page(s) and no other user of them");`]
      : []),
    ...(needsCgroup
      ? ['{', '\tchar path[640];', '', '\t__TEST_REQUIRE(gmem_cgroup_path(path, sizeof(path), "rsvd"),', '\t\t       "needs the hugetlb cgroup controller (HUGETLB_CGROUP_PATH for v1, or cgroup v2)");', '}']
      : []),
  ];
  const setup = [
    ...(needsCgroup ? ['/* Cgroup counters are asserted relative to this baseline, as the reporting test does. */', 'gmem_cgroup_baseline();'] : []),
    ...(procs > 1 ? [`/* Host processes 1..${procs - 1} of the trace, started before the VM exists. */`, `gmem_start_processes(${procs});`] : []),
    `gmem_vm_create(${vmTypeC}, ${hasGuest ? 'true' : 'false'}, ${num(mapBytes)});`,
  ];
  const teardown = [...(procs > 1 ? [`gmem_stop_processes(${procs});`] : []), 'if (!gmem.vm_gone)', '\tkvm_vm_free(gmem.vm);'];

  const header = [
    '// SPDX-License-Identifier: GPL-2.0-only',
    '/*',
    ` * ${fileName}.c: generated by gmem-model (\`gmem selftest\`) from`,
    ` * ${comment(sourceLabel)}, trace "${comment(trace.name)}". Do not edit; regenerate.`,
    ' *',
    ...wrap(comment(trace.description ?? '(no description)'), 76).map((l) => ` * ${l}`),
    ' *',
    ` * variant ${g.variant}, vmType ${g.vmType}, pageSize ${g.pageSize}, hugePageSize ${g.hugePageSize}, pool ${pool}.`,
    ...(sc.identity ? [] : [' *', ...wrap(sc.describe(), 76).map((l) => ` * ${l}`)]),
    ...(trace.expectViolation ? [` * The model expects ${[trace.expectViolation].flat().join(', ')} to break here (a known defect of ${g.variant}).`] : []),
    ...(profileOf(g.variant).attributes === 'vm'
      ? [
          ' *',
          ' * Runs on mainline 6.12 as Debian builds it, with kvm.ko rebuilt with',
          ' * CONFIG_KVM_SW_PROTECTED_VM=y: `npm run test:kernel -- <this trace>`',
          ' * (docs/KERNEL-RUN.md). Its oracle is that kernel (DOMAIN 7.4).',
        ]
      : [' * Run it on a kernel with that series applied; see docs/SELFTESTS.md in gmem-model.', ' * Elsewhere it exits KSFT_SKIP: gmem_require() finds the uapi missing.']),
    ' */',
  ];
  const source = [
    ...header,
    ...runtimePrologue(g.variant, Math.log2(g.hugePageSize / g.pageSize)),
    runtimeC(),
    '/* A fixture only for TEST_F_TIMEOUT: settle and close wait, and 1 GiB pages take time. */',
    'FIXTURE(gmem) {};',
    'FIXTURE_SETUP(gmem) {}',
    'FIXTURE_TEARDOWN(gmem) {}',
    '',
    `/* ${comment(trace.name)} */`,
    `TEST_F_TIMEOUT(gmem, ${testName}, ${timeoutOf(trace, g)})`,
    '{',
    ...setup.map((l) => (l ? `\t${l}` : l)),
    '',
    ...body,
    '',
    ...teardown.map((l) => `\t${l}`),
    '}',
    '',
    '/* TEST_HARNESS_MAIN, after what the kernel must offer (gmem_require()). */',
    'int main(int argc, char **argv)',
    '{',
    ...requirements.map((l) => (l ? `\t${l}` : l)),
    '\treturn test_harness_run(argc, argv);',
    '}',
    '',
  ].join('\n');
  return { ok: true, name: trace.name, fileName, testName, source };
}

/**
 * Seconds the harness allows the test: the default 30, plus the waits the
 * steps make (settle up to 3 s, close 0.3 s) and a minute for 1 GiB pages.
 */
function timeoutOf(trace: Trace, g: Geometry): number {
  const settles = trace.steps.filter((s) => s.op === 'settle').length;
  const closes = trace.steps.filter((s) => s.op === 'close' || s.op === 'closeFd').length;
  return 30 + 3 * settles + Math.ceil(closes * 0.3) + (g.hugePageSize >= SZ_1G ? 60 : 0);
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function createFlags(flags: ReadonlyArray<string>, g: Geometry, tg: Geometry, path: string): string {
  const parts = createFlagParts(flags, g, tg, path);
  return parts.length ? parts.join(' | ') : '0';
}

/**
 * The creation flags gmem_require() probes: those of the trace's creates the
 * trace expects to succeed, HugeTLB aside (a HugeTLB create needs the pool,
 * which is set up after the probe).
 */
function probeFlags(trace: Trace, g: Geometry, tg: Geometry): string {
  const parts = new Set<string>();
  trace.steps.forEach((s, i) => {
    if (s.op !== 'create' || s.expect !== 'ok') return;
    for (const p of createFlagParts(s.flags.filter((f) => f !== 'hugetlb'), g, tg, `$.steps[${i}]`)) parts.add(p);
  });
  return parts.size ? [...parts].join(' | ') : '0';
}

function createFlagParts(flags: ReadonlyArray<string>, g: Geometry, tg: Geometry, path: string): string[] {
  const has = (f: string) => flags.includes(f);
  const parts: string[] = [];
  if (g.variant === 'rfc-v2') {
    if (has('init-shared') && !has('mmap')) refuse(path, 'create', 'RFC v2 has no flag for a shared start without GUEST_MEMFD_FLAG_SUPPORT_SHARED (its only start flag is INIT_PRIVATE)');
    if (has('mmap')) parts.push('GUEST_MEMFD_FLAG_SUPPORT_SHARED');
    if (has('mmap') && !has('init-shared')) parts.push('GUEST_MEMFD_FLAG_INIT_PRIVATE');
  } else {
    if (has('mmap')) parts.push('GUEST_MEMFD_FLAG_MMAP');
    if (has('init-shared')) parts.push('GUEST_MEMFD_FLAG_INIT_SHARED');
  }
  if (has('hugetlb')) {
    if (HUGETLB_VARIANTS.includes(g.variant) && tg.hugePageSize === tg.pageSize) refuse(path, 'create', 'hugetlb with hugePageSize equal to pageSize has no page-size encoding (the kernel would take its default HugeTLB size)');
    parts.push('GUEST_MEMFD_FLAG_HUGETLB');
    // RFC v2 encodes the size in the flags (guestmem.h); the WIP passes page_order (GMEM_HUGETLB_PAGE_ORDER).
    if (g.variant === 'rfc-v2') parts.push(g.hugePageSize === SZ_1G ? 'GUESTMEM_HUGETLB_FLAG_1GB' : 'GUESTMEM_HUGETLB_FLAG_2MB');
  }
  return parts;
}

const ERRNO_C: Record<string, string> = { SIGBUS: 'GMEM_SIGBUS', ok: '0' };

/** Assertions for a step's `expect`; `length` is the step's, for `fill`. */
function expectLines(e: Expectation, i: number, op: string, length: number, sc: Scale): string[] {
  const o = cString(op);
  if (e === undefined) return ['/* outcome not checked (the trace leaves it open) */'];
  if (e === HANG) throw new Error('a "HANG" step is refused before any step is emitted (HANG_REFUSAL)');
  if (typeof e === 'string') return [`gmem_expect_err(${i}, ${o}, ${ERRNO_C[e] ?? e});`];
  if ('data' in e) return [`gmem_expect_bytes(${i}, ${o}, ${bytesLiteral(e.data)}, ${e.data.length / 2});`];
  if ('fill' in e) return [`gmem_expect_fill(${i}, ${o}, 0x${e.fill}, ${num(length)});`];
  const lines = [`gmem_expect_err(${i}, ${o}, ${ERRNO_C[e.error] ?? e.error});`];
  if (e.errorOffset !== undefined) lines.push(`gmem_expect_error_offset(${i}, ${o}, ${num(sc.pos(e.errorOffset))});`);
  if (e.exit === 'memory-fault') lines.push(`gmem_expect_memory_fault(${i}, ${o});`);
  if (e.memoryFault?.offset !== undefined) lines.push(`gmem_expect_fault_offset(${i}, ${o}, ${num(sc.pos(e.memoryFault.offset))});`);
  if (e.memoryFault?.size !== undefined) {
    const size = sc.pages(e.memoryFault.size);
    lines.push(size === undefined ? `/* memory fault size ${e.memoryFault.size}: not whole pages of the trace, no real size to compare */` : `gmem_expect_fault_size(${i}, ${o}, ${num(size)});`);
  }
  if (e.memoryFault?.private !== undefined) lines.push(`gmem_expect_fault_private(${i}, ${o}, ${e.memoryFault.private});`);
  return lines;
}

function writePayload(step: { data?: string | undefined; fill?: string | undefined; length?: number | undefined }): { hex?: string; fill?: string; length: number } {
  if (step.data !== undefined) return { hex: step.data, length: step.data.length / 2 };
  return { fill: step.fill!, length: step.length! };
}

const payloadExpr = (p: { hex?: string; fill?: string; length: number }): string => (p.hex !== undefined ? bytesLiteral(p.hex) : `gmem_fill(0x${p.fill}, ${num(p.length)})`);
const u64List = (xs: number[]): string => `(const uint64_t[]){ ${xs.map(num).join(', ')} }`;

interface Geometries {
  /** the kernel's geometry, which the C uses */
  g: Geometry;
  /** the trace's */
  tg: Geometry;
  sc: Scale;
}

/** An access as one call, or as calls split where the trace's pages end (scaled geometry). */
function accessCall(kind: 'hostRead' | 'hostWrite' | 'guestRead' | 'guestWrite', proc: number, offset: number, length: number, payload: string, sc: Scale): string[] {
  const segs = sc.segments(offset, length);
  if (segs.length === 1) {
    const at = num(segs[0]!.offset);
    switch (kind) {
      case 'hostRead':
        return [`gmem_host_read(${proc}, ${at}, ${num(length)});`];
      case 'hostWrite':
        return [`gmem_host_write(${proc}, ${at}, ${payload}, ${num(length)});`];
      case 'guestRead':
        return [`gmem_guest_access(${at}, ${num(length)}, false, NULL);`];
      case 'guestWrite':
        return [`gmem_guest_access(${at}, ${num(length)}, true, ${payload});`];
    }
  }
  const offs = u64List(segs.map((x) => x.offset));
  const lens = u64List(segs.map((x) => x.length));
  const note = `/* split at the trace's page boundaries: ${segs.length} real accesses, in order, stopping at the first failure */`;
  switch (kind) {
    case 'hostRead':
      return [note, `gmem_host_read_segs(${proc}, ${segs.length}, ${offs}, ${lens});`];
    case 'hostWrite':
      return [note, `gmem_host_write_segs(${proc}, ${segs.length}, ${offs}, ${lens}, ${payload});`];
    case 'guestRead':
      return [note, `gmem_guest_access_segs(${segs.length}, ${offs}, ${lens}, false, NULL);`];
    case 'guestWrite':
      return [note, `gmem_guest_access_segs(${segs.length}, ${offs}, ${lens}, true, ${payload});`];
  }
}

function emitStep(step: Step, i: number, geo: Geometries, shadow: Shadow, procs: number): string[] {
  const { g, tg, sc } = geo;
  const path = `$.steps[${i}]`;
  const head = `/* step ${i}: ${comment(JSON.stringify(step))} */`;
  const mark = `gmem_step(${i}, ${cString(step.op)});`;
  const lines = (...ls: string[]) => [head, mark, ...ls, ''];
  const ioLimit = (length: number) => {
    if (length > IO_MAX) refuse(path, step.op, `an access of ${length} bytes; the generated test moves at most ${IO_MAX} per step`);
  };
  const ex = (length: number) => expectLines(step.expect as Expectation, i, step.op, length, sc);
  const at = (x: number) => num(sc.pos(x));
  const span = (offset: number, length: number) => num(sc.len(offset, length));
  switch (step.op) {
    case 'create': {
      const flags = createFlags(step.flags, g, tg, path);
      const block = step.flags.includes('hugetlb') && g.hugePageSize > g.pageSize ? g.hugePageSize : g.pageSize;
      const out = lines(`gmem_create(${at(step.size)}, ${flags}, ${step.flags.includes('mmap')}, ${num(block)});`, ...ex(0));
      if (step.expect === 'ok') shadow.created(step.size, step.flags);
      return out;
    }
    case 'hostRead':
      ioLimit(step.length);
      return lines(...accessCall('hostRead', step.process ?? 0, step.offset, step.length, '', sc), ...ex(step.length));
    case 'hostWrite': {
      const p = writePayload(step);
      ioLimit(p.length);
      return lines(...accessCall('hostWrite', step.process ?? 0, step.offset, p.length, payloadExpr(p), sc), ...ex(p.length));
    }
    case 'guestRead':
    case 'guestWrite': {
      const p = step.op === 'guestWrite' ? writePayload(step) : { length: step.length };
      ioLimit(p.length);
      guestDrivable(step, path, g, shadow, p.length);
      return lines(...accessCall(step.op, 0, step.offset, p.length, step.op === 'guestWrite' ? payloadExpr(p) : '', sc), ...ex(p.length));
    }
    case 'convert': {
      const out = lines(`gmem_convert(${at(step.offset)}, ${span(step.offset, step.length)}, ${step.to === 'private'});`, ...ex(0));
      shadow.converted(step.offset, step.length, step.to, step.expect);
      return out;
    }
    case 'fallocate':
      return lines(`gmem_fallocate(${modeExpr(step.mode ?? ['keep-size'])}, ${at(step.offset)}, ${span(step.offset, step.length)});`, ...ex(0));
    case 'punchHole':
      return lines(`gmem_fallocate(${modeExpr(step.mode ?? ['punch-hole', 'keep-size'])}, ${at(step.offset)}, ${span(step.offset, step.length)});`, ...ex(0));
    case 'pin':
      return lines(`gmem_pin(${step.process ?? 0}, ${at(step.offset)});`, ...ex(0));
    case 'unpin':
      return lines(`gmem_unpin(${at(step.offset)});`, ...ex(0));
    case 'munmap':
      return lines(`gmem_munmap(${step.process ?? 0}, ${at(step.offset)}, ${span(step.offset, step.length)});`, ...ex(0));
    case 'closeFd': {
      const out = lines('gmem_close_fd();', ...ex(0));
      shadow.fdOpen = false;
      return out;
    }
    case 'unbind':
      return lines('gmem_unbind();', ...ex(0));
    case 'close': {
      const out = lines(`gmem_close_all(${procs});`, ...ex(0));
      shadow.fdOpen = false;
      shadow.vmGone = true;
      return out;
    }
    case 'settle':
      if (step.expect !== undefined && step.expect !== 'ok') refuse(path, 'settle', `settle always succeeds (TRACE-FORMAT); nothing can answer ${JSON.stringify(step.expect)}`);
      return lines('gmem_settle();');
    case 'inject':
      return refuse(path, 'inject', 'an injected split failure (ENOMEM undoing the vmemmap optimisation) cannot be caused from userspace');
    case 'check':
      return [head, mark, ...checkLines(step.expect, i, shadow, sc), ''];
  }
}

/** Guest accesses the generated test can drive for this VM type; refuses the rest. */
function guestDrivable(step: Extract<Step, { op: 'guestRead' | 'guestWrite' }>, path: string, g: Geometry, shadow: Shadow, length: number): void {
  if (g.vmType !== 'sw-protected') {
    refuse(path, step.op, `a ${g.vmType} guest needs the ${g.vmType === 'tdx' ? 'TD' : 'SNP'} guest support of the selftest library (${g.vmType === 'tdx' ? 'intel/tdx lib/x86/tdx: td_create, td_vcpu_add, td_finalize' : 'SNP launch in lib/x86/sev.c'}), which mainline 6.12's library lacks; not emitted untested`);
  }
  if (step.access === undefined || shadow.vmGone || shadow.pages.length === 0) return;
  const current = shadow.shareability(step.offset, length);
  if (current !== step.access) {
    refuse(path, step.op, `a ${step.access} access to ${current === 'unknown' ? 'pages whose shareability the trace leaves open' : `${current} pages`}: a sw-protected guest cannot choose its access type (KVM takes it from the memory attributes)`);
  }
}

function checkLines(e: CheckExpectation, i: number, shadow: Shadow, sc: Scale): string[] {
  const out: string[] = [];
  const h = e.hugetlb;
  if (h?.free !== undefined) out.push(`gmem_expect_count(${i}, "huge pages free", gmem_hugepages("free"), ${h.free});`);
  if (h?.rsvd !== undefined) out.push(`gmem_expect_count(${i}, "huge pages reserved", gmem_hugepages("resv"), ${h.rsvd});`);
  if (h?.cgroupRsvd !== undefined) out.push(`gmem_expect_count(${i}, "hugetlb cgroup reservation (pages)", gmem_cgroup_pages("rsvd"), ${h.cgroupRsvd});`);
  if (h?.cgroupUsage !== undefined) out.push(`gmem_expect_count(${i}, "hugetlb cgroup usage (pages)", gmem_cgroup_pages("usage"), ${h.cgroupUsage});`);
  const unobservable: string[] = [];
  if (e.allocatedBytes !== undefined) {
    const real = sc.bytes(e.allocatedBytes);
    if (!shadow.fdOpen) unobservable.push(`allocatedBytes ${e.allocatedBytes} (no open fd to fstat)`);
    else if (real === undefined) unobservable.push(`allocatedBytes ${e.allocatedBytes} (not whole blocks of the trace's geometry)`);
    else out.push(`gmem_expect_count(${i}, "st_blocks * 512", gmem_allocated_bytes(), ${num(real)});`);
  }
  if (e.pages?.length) unobservable.push(`pages (trace offsets) ${JSON.stringify(e.pages)}`);
  if (e.pendingMerge !== undefined) unobservable.push(`pendingMerge ${e.pendingMerge}`);
  if (e.open !== undefined) unobservable.push(`open ${e.open}`);
  if (unobservable.length) out.push(`/* the model's state, not observable from userspace: ${comment(unobservable.join('; '))} */`);
  return out;
}
