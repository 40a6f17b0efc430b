/**
 * Runs test binaries in Debian's 6.12 kernel under QEMU, pure TCG emulation
 * (no /dev/kvm on the host), with nested SVM so that the guest's kvm_amd
 * works:
 *
 * - `-cpu EPYC,+svm`: SVM with nested paging. Not qemu64: the kvm selftests
 *   are built with -march=x86-64-v2, which qemu64 lacks (every test dies with
 *   SIGILL, exit 132). QEMU warns that TCG lacks nrip-save and a few other
 *   EPYC features; kvm_amd does not need them.
 * - `-smp 1`: one core per QEMU (TCG), so `jobs` QEMUs can share the host's.
 * - `-no-reboot` with `panic=-1`: a guest kernel panic ends QEMU at once; the
 *   test that was running is reported failed with the console's last lines,
 *   and the tests after it run in a fresh boot.
 * - the console (ttyS0) and /init's report (ttyS1) each go to a file
 *   (initramfs.ts says why there are two ports); the report's file is
 *   followed as it grows. Not a pipe: QEMU's UART gives up on a byte that its
 *   chardev refuses four times (hw/char/serial.c `serial_xmit`,
 *   MAX_XMIT_RETRY), and the host's event loop stops reading for seconds while
 *   it packs another boot's initramfs, so a pipe lost report lines mid-test
 *   (a test reported as died, with its output cut off). A file never refuses.
 *
 * A host watchdog kills a QEMU whose guest stops answering (a test stuck
 * where even SIGKILL cannot reach it, as a task frozen by the cgroup v1
 * freezer): it is armed for the boot, then at each test's start for that
 * test's time limit plus a grace, so a wedged test costs its own limit and not
 * the whole run's. That test is reported as a timeout and the rest run in a
 * fresh boot.
 */
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { symbolize } from './backtrace';
import type { KernelModule } from './build';
import { KernelRunError, type Log } from './exec';
import { type GuestCommand, MARKER, packInitramfs } from './initramfs';

export interface GuestTest {
  name: string;
  binary: string;
  args?: ReadonlyArray<string>;
  timeoutSeconds: number;
  /** the test is meant to hang: it passes when its time limit kills it, and fails if it exits */
  expectTimeout?: boolean;
}

/** skip is kselftest's KSFT_SKIP (exit 4); timeout is a test killed at its time limit that was not meant to hang. */
export type TestStatus = 'pass' | 'fail' | 'skip' | 'timeout';

export interface TestResult {
  name: string;
  status: TestStatus;
  /** exit code as the guest's shell saw it (128 + signal when killed); null when the guest died first */
  rc: number | null;
  /** the last lines of the test's output */
  output: string;
  /** how long it ran, in guest time */
  seconds: number;
  /** kernel messages logged while it ran (WARN_ON splats land here, whatever the exit code) */
  kernelLog: ReadonlyArray<string>;
  /** why the status is what it is, when the exit code alone does not say */
  note: string;
  /** what failed, in the terms of what the test stands for (a trace's step, the model's answer and the kernel's: traces.ts) */
  details?: ReadonlyArray<string>;
}

export interface QemuOptions {
  /** QEMUs at once, each with one emulated core (default: the host's cores) */
  jobs?: number;
  /** lines of each test's output kept (default 60) */
  tailLines?: number;
  /** 2 MB huge pages reserved in the guest (default 64: the hugetlb variants of the private_mem tests) */
  hugepages?: number;
  /** guest memory (default 2G) */
  memory?: string;
  /** a static busybox, the guest's userland (default /bin/busybox from busybox-static) */
  busybox?: string;
  /** the most binary bytes one initramfs carries; more tests than that boot again (default 512 MiB) */
  maxBootBytes?: number;
  /** where each boot's console is kept (console-<n>.log); nowhere when not given */
  logDir?: string;
  log?: Log;
}

export interface QemuStats {
  boots: number;
  /** seconds spent packing initramfs images (summed over boots) */
  packSeconds: number;
  /** the largest image: its files, and compressed */
  maxUnpackedBytes: number;
  maxInitrdBytes: number;
  wallSeconds: number;
}

/** Booting and loading the modules under TCG takes 3-10 s; this leaves room for a loaded host. */
const BOOT_ALLOWANCE_S = 120;
/** What the guest may take beyond a test's own limit to kill it and report (and between tests). */
const GRACE_S = 30;

export async function runInQemu(kernel: { vmlinuz: string; modules: ReadonlyArray<KernelModule> }, tests: ReadonlyArray<GuestTest>, opts: QemuOptions = {}): Promise<{ results: TestResult[]; stats: QemuStats }> {
  const started = Date.now();
  const busybox = opts.busybox ?? '/bin/busybox';
  for (const f of [kernel.vmlinuz, busybox, ...kernel.modules.map((m) => m.path), ...tests.map((t) => t.binary)]) {
    if (!existsSync(f)) throw new KernelRunError(`${f} does not exist`);
  }
  if (opts.logDir && existsSync(opts.logDir)) {
    // Boots are numbered from 1 in each run: an older run's higher numbers would read as this run's.
    for (const f of readdirSync(opts.logDir)) if (/^console-\d+\.log$/.test(f)) rmSync(join(opts.logDir, f));
  }
  const stats: QemuStats = { boots: 0, packSeconds: 0, maxUnpackedBytes: 0, maxInitrdBytes: 0, wallSeconds: 0 };
  const results: (TestResult | undefined)[] = tests.map(() => undefined);
  const ctx: BootContext = { kernel, tests, busybox, opts, stats, results };
  const groups = partition(tests, Math.max(1, Math.min(opts.jobs ?? cpus().length, tests.length)));
  await Promise.all(groups.map((g) => runGroup(ctx, g)));
  stats.wallSeconds = (Date.now() - started) / 1000;
  return { results: results.map((r, i) => r ?? lost(tests[i], 'no result (the harness lost track of this test)')), stats };
}

interface BootContext {
  kernel: { vmlinuz: string; modules: ReadonlyArray<KernelModule> };
  tests: ReadonlyArray<GuestTest>;
  busybox: string;
  opts: QemuOptions;
  stats: QemuStats;
  results: (TestResult | undefined)[];
}

/**
 * Splits the tests (by index) among `n` QEMUs, longest time limit first onto
 * the least loaded: the limit is the only duration known before running.
 */
function partition(tests: ReadonlyArray<GuestTest>, n: number): number[][] {
  const groups = Array.from({ length: n }, () => ({ load: 0, items: [] as number[] }));
  const order = tests.map((_, i) => i).sort((a, b) => tests[b].timeoutSeconds - tests[a].timeoutSeconds || a - b);
  for (const i of order) {
    const g = groups.reduce((m, x) => (x.load < m.load ? x : m));
    g.items.push(i);
    g.load += tests[i].timeoutSeconds;
  }
  return groups.map((g) => g.items.sort((a, b) => a - b)).filter((g) => g.length > 0);
}

/** Boots as often as needed until every test of the group has a result. */
async function runGroup(ctx: BootContext, group: number[]): Promise<void> {
  let remaining = group;
  while (remaining.length > 0) {
    const batch = takeWithinBudget(ctx.tests, remaining, ctx.opts.maxBootBytes ?? 512 * 1024 * 1024);
    const ended = await boot(ctx, batch);
    if (ended === 0) throw new KernelRunError('the guest stopped before its first test and said nothing about why');
    remaining = [...batch.slice(ended), ...remaining.slice(batch.length)];
  }
}

function takeWithinBudget(tests: ReadonlyArray<GuestTest>, queue: number[], budget: number): number[] {
  const seen = new Set<string>();
  let bytes = 0;
  let n = 0;
  for (const i of queue) {
    const b = tests[i].binary;
    const size = seen.has(b) ? 0 : statSync(b).size;
    if (n > 0 && bytes + size > budget) break;
    seen.add(b);
    bytes += size;
    n++;
  }
  return queue.slice(0, n);
}

export interface Progress {
  ready: boolean;
  done: boolean;
  setupFail: string;
  info: string[];
  current: number | undefined;
  out: Map<number, string[]>;
  dmesg: Map<number, string[]>;
}

/**
 * One QEMU over `batch` (test indexes). Returns how many of them have a
 * result: all of them, or up to and including the one during which the guest
 * died or stopped answering.
 */
async function boot(ctx: BootContext, batch: number[]): Promise<number> {
  const { tests, opts } = ctx;
  const log = opts.log ?? (() => {});
  const work = mkdtempSync(join(tmpdir(), 'gmem-qemu-'));
  try {
    const commands: GuestCommand[] = batch.map((i) => ({ index: i, timeoutSeconds: tests[i].timeoutSeconds, binary: tests[i].binary, args: tests[i].args ?? [] }));
    const t = Date.now();
    const initrd = packInitramfs(work, commands, { busybox: ctx.busybox, modules: ctx.kernel.modules, hugepages: opts.hugepages ?? 64, tailLines: opts.tailLines ?? 60 });
    const bootNo = ++ctx.stats.boots;
    ctx.stats.packSeconds += (Date.now() - t) / 1000;
    ctx.stats.maxUnpackedBytes = Math.max(ctx.stats.maxUnpackedBytes, initrd.unpackedBytes);
    ctx.stats.maxInitrdBytes = Math.max(ctx.stats.maxInitrdBytes, initrd.bytes);
    log(`boot ${bootNo}: ${batch.length} tests, initramfs ${mb(initrd.unpackedBytes)} -> ${mb(initrd.bytes)} zstd`);

    const consoleLog = join(work, 'console.log');
    // The watchdog's current allowance, re-armed as the report comes in.
    let allowance = BOOT_ALLOWANCE_S;
    const p: Progress = { ready: false, done: false, setupFail: '', info: [], current: undefined, out: new Map(), dmesg: new Map() };
    const finished: number[] = [];
    const exit = await runQemu(ctx.kernel.vmlinuz, initrd.path, consoleLog, join(work, 'report.log'), opts.memory ?? '2G', allowance, (line, arm) => {
      const before = p.current;
      const end = onReportLine(p, line);
      if (p.current !== before && p.current !== undefined) arm((allowance = Math.ceil(tests[p.current].timeoutSeconds) + GRACE_S));
      else if (end !== undefined || p.done) arm((allowance = GRACE_S));
      if (end === undefined) return;
      const i = end.index;
      ctx.results[i] = resultOf(tests[i], end, p.out.get(i) ?? [], p.dmesg.get(i) ?? []);
      finished.push(i);
      log(`${tests[i].name}: ${ctx.results[i]!.status} (${end.seconds.toFixed(1)} s)`);
    });
    for (const l of p.info) log(`boot ${bootNo}: ${l}`);
    const keptConsole = opts.logDir ? join(opts.logDir, `console-${bootNo}.log`) : undefined;
    if (keptConsole && existsSync(consoleLog)) {
      mkdirSync(opts.logDir!, { recursive: true });
      copyFileSync(consoleLog, keptConsole);
    }
    const consoleText = () => (existsSync(consoleLog) ? readFileSync(consoleLog, 'utf8') : '');
    const consoleTail = () => consoleText().split('\n').slice(-40).join('\n');
    if (p.setupFail) throw new KernelRunError(`guest setup failed: ${p.setupFail}${p.info.length ? ` (${p.info.filter((l) => l.startsWith('dmesg:')).slice(-3).join(' | ')})` : ''}`);
    if (!p.ready) {
      throw new KernelRunError(`the guest did not reach its tests (${exit.timedOut ? `killed after ${allowance} s without a word` : `QEMU exit ${exit.code}`}): ${exit.stderr || lastLine(consoleTail())}`);
    }
    if (p.done) return batch.length;
    // The guest died or hung during test p.current (or between two tests).
    const ran = finished.length;
    const i = p.current !== undefined && !finished.includes(p.current) ? p.current : undefined;
    if (i === undefined) return ran;
    const why = exit.timedOut ? `QEMU killed by the host after ${allowance} s: the guest did not end the test at its limit (stuck past SIGKILL?)` : `the guest kernel died during this test (QEMU exit ${exit.code})`;
    const excerpt = crashExcerpt(consoleText());
    const output = [...(p.out.get(i) ?? []), ...(excerpt ? [`--- guest console${keptConsole ? ` (all of it: ${keptConsole})` : ''} ---`, excerpt] : [])].join('\n');
    ctx.results[i] = { name: tests[i].name, status: exit.timedOut ? 'timeout' : 'fail', rc: null, output, seconds: 0, kernelLog: p.dmesg.get(i) ?? [], note: why };
    log(`${tests[i].name}: ${ctx.results[i]!.status} (${why})`);
    return ran + 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface TestEnd {
  index: number;
  rc: number;
  seconds: number;
  lines: number;
}

/** Folds one ttyS1 line into the progress; returns the test it ends, if it is an `end` line. */
export function onReportLine(p: Progress, raw: string): TestEnd | undefined {
  const line = raw.replace(/\r$/, '');
  if (!line.startsWith(`${MARKER} `)) return undefined;
  const rest = line.slice(MARKER.length + 1);
  const sp = rest.indexOf(' ');
  const kind = sp < 0 ? rest : rest.slice(0, sp);
  const arg = sp < 0 ? '' : rest.slice(sp + 1);
  const perTest = (m: Map<number, string[]>) => {
    const k = arg.indexOf(' ');
    const i = Number(k < 0 ? arg : arg.slice(0, k));
    const text = k < 0 ? '' : arg.slice(k + 1);
    if (!m.has(i)) m.set(i, []);
    m.get(i)!.push(text);
  };
  switch (kind) {
    case 'info':
      p.info.push(arg);
      return undefined;
    case 'setup-fail':
      p.setupFail = arg;
      return undefined;
    case 'ready':
      p.ready = true;
      return undefined;
    case 'begin':
      p.current = Number(arg);
      return undefined;
    case 'out':
      perTest(p.out);
      return undefined;
    case 'dmesg':
      perTest(p.dmesg);
      return undefined;
    case 'end': {
      const [i, rc, start, end, lines] = arg.split(' ').map(Number);
      return { index: i, rc, seconds: Math.max(0, end - start), lines };
    }
    case 'done':
      p.done = true;
      return undefined;
    default:
      return undefined;
  }
}

/** SIGKILL as the shell reports it: busybox `timeout -s KILL` ends a test this way. */
const KILLED = 128 + 9;

/** The status of a test from its exit code and run time (see TestStatus). */
export function resultOf(test: GuestTest, end: TestEnd, out: string[], dmesg: string[]): TestResult {
  const limit = Math.max(1, Math.ceil(test.timeoutSeconds));
  // The exit code alone cannot tell the time limit's SIGKILL from another (the OOM killer's): the time can.
  const timedOut = end.rc === KILLED && end.seconds >= limit - 0.05;
  const shown = end.lines > out.length ? [`[... ${end.lines - out.length} earlier lines not kept]`, ...out] : out;
  const base = { name: test.name, rc: end.rc, output: symbolize(shown.join('\n'), test.binary), seconds: Math.round(end.seconds * 100) / 100, kernelLog: dmesg };
  if (test.expectTimeout) {
    return timedOut ? { ...base, status: 'pass', note: `hung as expected; killed after ${limit} s` } : { ...base, status: 'fail', note: `expected to hang for ${limit} s, but exited with ${end.rc} after ${end.seconds.toFixed(1)} s` };
  }
  if (timedOut) return { ...base, status: 'timeout', note: `killed after its time limit of ${limit} s` };
  if (end.rc === 0) return { ...base, status: 'pass', note: '' };
  if (end.rc === 4) return { ...base, status: 'skip', note: '' };
  // 129-192 is how the shell reports a signal; a failed kvm selftest TEST_ASSERT exits 254 (lib/assert.c).
  return { ...base, status: 'fail', note: end.rc > 128 && end.rc <= 128 + 64 ? `killed by signal ${end.rc - 128}` : `exit ${end.rc}` };
}

function lost(test: GuestTest, note: string): TestResult {
  return { name: test.name, status: 'fail', rc: null, output: '', seconds: 0, kernelLog: [], note };
}

interface QemuExit {
  code: number | null;
  timedOut: boolean;
  stderr: string;
}

/** How often the report file is read while QEMU runs. */
const FOLLOW_MS = 100;

/**
 * Reads a file another process appends to, line by line, from where the last
 * read stopped (a line split across reads is kept until its end arrives).
 */
export class FileFollower {
  private fd: number | undefined;
  private offset = 0;
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly buffer = Buffer.alloc(64 * 1024);

  constructor(
    private readonly path: string,
    private readonly onLine: (line: string) => void,
  ) {}

  poll(): void {
    if (this.fd === undefined) {
      if (!existsSync(this.path)) return;
      this.fd = openSync(this.path, 'r');
    }
    for (let n = readSync(this.fd, this.buffer, 0, this.buffer.length, this.offset); n > 0; n = readSync(this.fd, this.buffer, 0, this.buffer.length, this.offset)) {
      this.offset += n;
      const lines = (this.partial + this.decoder.write(this.buffer.subarray(0, n))).split('\n');
      this.partial = lines.pop()!;
      for (const line of lines) this.onLine(line);
    }
  }

  /** The rest of the file, the last line even without its newline. */
  close(): void {
    this.poll();
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest) this.onLine(rest);
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

/** `onLine` gets each report line and `arm`, which restarts the watchdog with a new allowance. */
function runQemu(vmlinuz: string, initrd: string, consoleLog: string, reportLog: string, memory: string, firstSeconds: number, onLine: (line: string, arm: (seconds: number) => void) => void): Promise<QemuExit> {
  const args = [
    '-accel', 'tcg',
    '-cpu', 'EPYC,+svm',
    '-smp', '1',
    '-m', memory,
    '-display', 'none',
    '-monitor', 'none',
    '-no-reboot',
    '-serial', `file:${consoleLog}`,
    '-serial', `file:${reportLog}`,
    '-kernel', vmlinuz,
    '-initrd', initrd,
    '-append', 'console=ttyS0 panic=-1 quiet',
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let timedOut = false;
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const arm = (seconds: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, seconds * 1000);
    };
    arm(firstSeconds);
    const report = new FileFollower(reportLog, (line) => onLine(line, arm));
    const follow = setInterval(() => report.poll(), FOLLOW_MS);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      clearInterval(follow);
      reject((err as NodeJS.ErrnoException).code === 'ENOENT' ? new KernelRunError(`'qemu-system-x86_64' is not installed`) : new KernelRunError(`qemu-system-x86_64: ${err.message}`));
    });
    child.on('close', (code) => {
      clearInterval(follow);
      report.close();
      clearTimeout(timer);
      // TCG lacks some EPYC features (nrip-save, xsavec, ...); QEMU warns about each one, harmlessly.
      const useful = stderr.split('\n').filter((l) => l.trim() !== '' && !/TCG doesn't support requested feature/.test(l));
      resolvePromise({ code, timedOut, stderr: useful.slice(-3).join(' | ') });
    });
  });
}

/** Where a kernel report starts on the console: panic, BUG, oops, WARN. */
const CRASH_START = /Kernel panic|BUG:|Oops:|general protection fault|WARNING:|sysrq: Trigger a crash/;

/**
 * The kernel's report of a crash, for a person: from its first line on, the
 * `? func` frames left out (the unwinder's guesses, stale stack words), at
 * most 50 lines. The whole console is kept in the log folder.
 */
export function crashExcerpt(console: string): string {
  const lines = console.split('\n');
  const start = lines.findIndex((l) => CRASH_START.test(l));
  const from = start >= 0 ? lines.slice(start) : lines.slice(-40);
  return from.filter((l) => !/\]\s+\? /.test(l)).slice(0, 50).join('\n');
}

function lastLine(text: string): string {
  return text.trim().split('\n').slice(-1)[0] ?? '';
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
