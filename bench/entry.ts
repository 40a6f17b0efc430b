/**
 * What a benchmark entry is, and how entries measure a whole process: the
 * registry in run.ts lists entries; each returns rows of a figure against
 * its target. A target is met, failed, or the row is informative.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceHead } from './trace-writer';
import { writeTraceFile } from './trace-writer';

export interface BenchRow {
  /** the target's id (S1 ...) or the entry's. */
  id: string;
  measure: string;
  value: string;
  target: string;
  /** undefined: informative, no target. */
  met?: boolean;
}

export interface BenchEntry {
  id: string;
  title: string;
  run(): BenchRow[];
}

export const MB = 1e6;
export const REPO = join(__dirname, '..');

/** Whether dist/ is current, judged once as bin/gmem.js judges it (scripts/build-stamp.js). */
const BUILT = (require('../scripts/build-stamp') as { distState: () => string }).distState() === 'fresh';
export const MEASURED_CODE = BUILT ? 'dist/ (compiled, as bin/gmem.js runs it)' : 'the sources through tsx (dist/ missing or stale)';

/**
 * The code as `gmem` runs it: dist/ when the build is current (what
 * bin/gmem.js loads), else the sources (the bench itself runs under tsx).
 * `path` is relative to the repository, without extension.
 */
export function fromBuild<T>(path: string): T {
  return require(join(REPO, BUILT ? 'dist' : '', path)) as T;
}
export const GMEM = join(REPO, 'bin', 'gmem.js');
const PRELOAD = join(__dirname, 'rusage-preload.cjs');

export interface ChildRun {
  /** wall time from spawn to exit, node start-up included. */
  wallMs: number;
  /** the child's peak resident set (getrusage maxrss at exit); undefined when it was killed. */
  peakRss?: number;
  /** the child's user + system CPU time: on a shared machine, what the wall time would be if it had a core to itself. */
  cpuMs?: number;
  status: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node [args]` as a child process with a bound on its wall time. Its
 * peak RSS is the child's own getrusage figure, written at exit by a
 * preloaded module (what /usr/bin/time reports, with no tool beyond Node).
 */
export function runNode(args: ReadonlyArray<string>, timeoutMs: number): ChildRun {
  return runCommand(process.execPath, args, timeoutMs);
}

/**
 * Runs a command (`npm start`, or node itself) with a bound on its wall
 * time. Every Node process it starts loads the usage preload (NODE_OPTIONS)
 * and writes its own getrusage at exit: the CPU time is their sum, the peak
 * RSS the largest single process.
 */
export function runCommand(command: string, args: ReadonlyArray<string>, timeoutMs: number): ChildRun {
  const dir = mkdtempSync(join(tmpdir(), 'gmem-bench-rusage-'));
  try {
    const start = process.hrtime.bigint();
    const child = spawnSync(command, args, {
      encoding: 'utf8',
      cwd: REPO,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --require "${PRELOAD}"`.trim(), GMEM_BENCH_RUSAGE_DIR: dir },
    });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const usages = readdirSync(dir).flatMap((f) => {
      try {
        return [JSON.parse(readFileSync(join(dir, f), 'utf8')) as { maxRSS: number; userCPUTime: number; systemCPUTime: number }];
      } catch {
        return [];
      }
    });
    const peakRss = usages.length ? Math.max(...usages.map((u) => u.maxRSS * 1024)) : undefined;
    const cpuMs = usages.length ? usages.reduce((n, u) => n + (u.userCPUTime + u.systemCPUTime) / 1000, 0) : undefined;
    const timedOut = (child.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' || child.signal === 'SIGKILL';
    return { wallMs, ...(peakRss !== undefined ? { peakRss } : {}), ...(cpuMs !== undefined ? { cpuMs } : {}), status: child.status, timedOut, stdout: child.stdout ?? '', stderr: child.stderr ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `npm start` with npm as the bench was started with it (npm run bench sets npm_execpath), else the one on PATH. */
export function npmStart(timeoutMs: number): ChildRun {
  const cli = process.env['npm_execpath'];
  return cli && cli.endsWith('.js') ? runCommand(process.execPath, [cli, 'start', '--silent'], timeoutMs) : runCommand('npm', ['start', '--silent'], timeoutMs);
}

/** A temporary directory for generated traces, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a replay child said, in one line: `pass NAME`, the failure, or how it stopped. */
export function replayVerdict(run: ChildRun, timeoutMs: number): { pass: boolean; text: string } {
  if (run.timedOut) return { pass: false, text: `stopped after ${(timeoutMs / 1000).toFixed(0)} s` };
  const out = `${run.stdout}\n${run.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean);
  if (run.status === 0) return { pass: true, text: out[0] ?? 'pass' };
  return { pass: false, text: `exit ${run.status}: ${(out.find((l) => !l.startsWith('at ')) ?? '').slice(0, 160)}` };
}

/**
 * A replay target (S1, S3): the trace written to a temporary file, replayed by
 * `gmem replay` in a child, and three rows: it passes, its wall time and its
 * peak RSS against their targets (a time or size counts only when it passed).
 */
export function replayTraceRows(
  id: string,
  what: string,
  head: TraceHead,
  steps: Iterable<object>,
  target: { wallMs: number; rssMb: number; timeoutS: number },
): BenchRow[] {
  const tmp = tempDir(`gmem-bench-${id.toLowerCase()}-`);
  try {
    const file = join(tmp.dir, `${id.toLowerCase()}.json`);
    writeTraceFile(file, head, steps);
    const timeout = childTimeoutMs(target.timeoutS);
    const run = runNode([GMEM, 'replay', file], timeout);
    const verdict = replayVerdict(run, timeout);
    return [
      { id, measure: `${id} ${what}: replays and passes`, value: verdict.text, target: 'pass', met: verdict.pass },
      { id, measure: `${id} wall, node start-up included`, value: wallCpu(run), target: `< ${target.wallMs} ms`, met: verdict.pass && run.wallMs < target.wallMs },
      { id, measure: `${id} peak RSS of the replay process`, value: mb(run.peakRss), target: `< ${target.rssMb} MB`, met: verdict.pass && run.peakRss !== undefined && run.peakRss < target.rssMb * MB },
    ];
  } finally {
    tmp.remove();
  }
}

/** Rows of an older bench (a measure, a value, a target, met) as an entry's rows: `(informative)` targets have no verdict. */
export function asEntryRows(id: string, rows: ReadonlyArray<{ measure: string; value: string; target: string; met: boolean }>): BenchRow[] {
  return rows.map((r) => ({ id, measure: `${id} ${r.measure}`, value: r.value, target: r.target, ...(r.target === '(informative)' ? {} : { met: r.met }) }));
}

/** Seconds to wait for one child: GMEM_BENCH_TIMEOUT (seconds) when set. */
export function childTimeoutMs(defaultSeconds: number): number {
  const s = Number(process.env['GMEM_BENCH_TIMEOUT']);
  return (Number.isFinite(s) && s > 0 ? s : defaultSeconds) * 1000;
}

export const ms = (x: number) => `${x.toFixed(0)} ms`;
/** Wall time with the child's CPU time beside it. */
export const wallCpu = (run: ChildRun) => `${ms(run.wallMs)}${run.cpuMs !== undefined ? ` (cpu ${ms(run.cpuMs)})` : ''}`;
export const mb = (x: number | undefined) => (x === undefined ? 'unknown (killed)' : `${(x / MB).toFixed(0)} MB`);
