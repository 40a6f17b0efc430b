/**
 * gmem-trace/1 files run on the kernel (`npm run test:kernel`): each trace
 * is generated as a C selftest (`gmem selftest`, src/selftest/emit.ts),
 * compiled static and run in QEMU with the kernel's own tests
 * (scripts/test-kernel.ts). What the kernel running here is: mainline 6.12.
 *
 * - a mainline-6.12 trace must PASS: the kernel is its oracle (DOMAIN 7.4).
 *   A SKIP is a failure too (this kernel is the tree the trace describes).
 * - any other tree's trace must SKIP: its file finds the series' uapi
 *   missing at run time (gmem_require(): KSFT_SKIP). A file that runs
 *   instead, passing or failing, is a failure of that detection. A trace
 *   `gmem selftest` refuses is listed as skipped with the refusal.
 *
 * A failure names the trace, the step (with its JSON), what the model
 * expected and what the kernel did, from the C's own failure line
 * ("step N (op): the model expects X; the kernel: Y",
 * src/selftest/c/gmem_runtime.c) or, when the failure came from elsewhere
 * (the selftest library, a crash), from the last step the test marked
 * ("gmem: step N (op)").
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { profileOf } from '../../machines/variant';
import type { Refusal } from '../selftest/emit';
import { emitSelftest, fileNameOf } from '../selftest/emit';
import { describeExpectation, loadTrace, runTrace } from '../trace/replay';
import type { Trace } from '../trace/schema';
import type { TestResult } from './qemu';

/** The trees whose traces this kernel runs: those whose attributes live on the VM (mainline-6.12). */
export function runsHere(trace: Trace): boolean {
  return profileOf(trace.config?.variant ?? 'rfc-v2').attributes === 'vm';
}

export interface TracePlan {
  /** the trace file, as given or found */
  file: string;
  /** its path relative to the working folder: the test's name in the KTAP */
  label: string;
  trace: Trace;
  /** pass: mainline-6.12, which this kernel is; skip: another tree's */
  expect: 'pass' | 'skip';
  /** the C file's name without .c, when generated */
  fileName?: string;
  source?: string;
  refusal?: Refusal;
}

export class TraceInputError extends Error {}

function isTraceFile(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { format?: unknown }).format === 'gmem-trace/1';
  } catch {
    return false;
  }
}

/**
 * The trace files of `inputs`: a file as given (it must be a trace), a
 * folder for every gmem-trace/1 file under it (sub-folders too), sorted.
 */
export function traceFiles(inputs: ReadonlyArray<string>): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((entry) => {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) return walk(path);
        return entry.endsWith('.json') && isTraceFile(path) ? [path] : [];
      });
  const files = inputs.flatMap((input) => {
    if (!existsSync(input)) throw new TraceInputError(`${input}: no such file or folder`);
    return statSync(input).isDirectory() ? walk(input) : [input];
  });
  if (files.length === 0) throw new TraceInputError(`no gmem-trace/1 files in ${inputs.join(', ')}`);
  return [...new Set(files.map((f) => resolve(f)))].map((abs) => files.find((f) => resolve(f) === abs)!);
}

/**
 * Loads and generates every trace. Invalid input (a file that is not a valid
 * trace, two traces that would write the same C file) is a TraceInputError,
 * before anything is built.
 */
export function planTraces(files: ReadonlyArray<string>): TracePlan[] {
  const seen = new Map<string, string>();
  return files.map((file) => {
    const loaded = loadTrace(file);
    if (!loaded.ok) throw new TraceInputError(loaded.message);
    const trace = loaded.trace;
    const invalid = runTrace(trace).invalid;
    if (invalid) throw new TraceInputError(`INVALID FILE: ${file}: ${invalid.path}: ${invalid.what}`);
    const rel = relative(process.cwd(), file);
    const label = rel.startsWith('..') ? file : rel;
    const fileName = fileNameOf(trace);
    const other = seen.get(fileName);
    if (other) throw new TraceInputError(`INVALID FILE: ${file}: $.name: "${trace.name}" would write ${fileName}.c, as ${other} does`);
    seen.set(fileName, file);
    const plan: TracePlan = { file, label, trace, expect: runsHere(trace) ? 'pass' : 'skip' };
    const emitted = emitSelftest(trace, label);
    if (!emitted.ok) return { ...plan, refusal: emitted.refusal };
    return { ...plan, fileName: emitted.fileName, source: emitted.source };
  });
}

/** One source folder per set of traces, so make's timestamps keep the set's binaries (compile-static.ts). */
export function sourceDir(root: string, plans: ReadonlyArray<TracePlan>): string {
  const key = createHash('sha256')
    .update(plans.map((p) => resolve(p.file)).sort().join('\n'))
    .digest('hex')
    .slice(0, 12);
  return join(root, 'traces', key);
}

/**
 * Writes the generated files into `dir`, each only when its text changed (an
 * unchanged file keeps its mtime, so make does not rebuild it), and removes
 * .c files of traces no longer in the set.
 */
export function writeSources(dir: string, plans: ReadonlyArray<TracePlan>): void {
  mkdirSync(dir, { recursive: true });
  const wanted = new Set<string>();
  for (const p of plans) {
    if (!p.fileName || p.source === undefined) continue;
    const path = join(dir, `${p.fileName}.c`);
    wanted.add(`${p.fileName}.c`);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== p.source) writeFileSync(path, p.source);
  }
  for (const f of readdirSync(dir)) if (f.endsWith('.c') && !wanted.has(f)) rmSync(join(dir, f));
}

/** The time limit of a generated test: its kselftest_harness limit (TEST_F_TIMEOUT) and 30 s for the boot-time noise. */
export function timeLimit(plan: TracePlan): number {
  if (plan.expect === 'skip') return 20; // gmem_require() ends it before the VM is made
  const m = /^TEST_F_TIMEOUT\(gmem, \w+, (\d+)\)$/m.exec(plan.source ?? '');
  return (m ? Number(m[1]) : 30) + 30;
}

/** A result for a trace that was not run: refused by the generator, or not compiled. */
export function unrunResult(plan: TracePlan, compileError?: string): TestResult {
  if (plan.refusal) {
    const why = `not generated: ${plan.refusal.path} ${plan.refusal.what}: ${plan.refusal.reason}`;
    if (plan.expect === 'skip') return { name: plan.label, status: 'skip', rc: null, output: `1..0 # SKIP ${why}`, seconds: 0, kernelLog: [], note: '' };
    return { name: plan.label, status: 'fail', rc: null, output: '', seconds: 0, kernelLog: [], note: `${why} (a mainline-6.12 trace must run here)` };
  }
  return { name: plan.label, status: 'fail', rc: null, output: compileError ?? '', seconds: 0, kernelLog: [], note: 'did not compile' };
}

const MODEL_LINE = /step (\d+) \(([A-Za-z]+)\): the model expects (.*?); the kernel: (.*)$/;
const STEP_MARK = /^gmem: step (\d+) \(([A-Za-z]+)\)$/;

/**
 * What failed, in the trace's terms: the trace, the step with its JSON, the
 * model's expectation and the kernel's answer. From the C's failure line
 * when there is one; else the last step the test began and what ended it.
 */
export function failureDetails(plan: TracePlan, result: TestResult): string[] {
  const lines = result.output.split('\n').map((l) => l.trim());
  const stepJson = (i: number) => {
    const s = plan.trace.steps[i];
    return s ? JSON.stringify(s) : '(no such step)';
  };
  const out = [`trace ${plan.label}`];
  const model = lines.map((l) => MODEL_LINE.exec(l)).find((m) => m);
  if (model) {
    const i = Number(model[1]);
    out.push(`step ${i}: ${stepJson(i)}`, `the model expects: ${model[3]}`, `the kernel: ${model[4]}`);
    return out;
  }
  const marks = lines.map((l) => STEP_MARK.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  const last = marks[marks.length - 1];
  const ended = assertionMessage(lines) ?? (result.note || `exit ${result.rc ?? '?'}`);
  if (last) {
    const i = Number(last[1]);
    const step = plan.trace.steps[i];
    const expected = step && step.op !== 'check' ? describeExpectation(step.expect) : step ? JSON.stringify(step.expect) : '?';
    out.push(`step ${i}: ${stepJson(i)}`, `the model expects: ${expected}`, `the kernel: ${ended}`);
  } else {
    out.push(`before step 0 (the VM or what the test requires)`, `the kernel: ${ended}`);
  }
  return out;
}

/** The message of a TEST_ASSERT block (its last line before the blank line that ends it), or undefined. */
function assertionMessage(lines: ReadonlyArray<string>): string | undefined {
  const at = lines.lastIndexOf('==== Test Assertion Failure ====');
  if (at < 0) return undefined;
  let msg: string | undefined;
  for (let k = at + 1; k < lines.length && lines[k] !== ''; k++) msg = lines[k];
  const where = lines[at + 1];
  return msg && where && msg !== where ? `${msg} (${where})` : msg;
}

/**
 * The trace's verdict from the kernel's result: a mainline-6.12 trace
 * passes only by passing; another tree's only by skipping. A failure gets
 * its details (failureDetails) for the KTAP.
 */
export function judge(plan: TracePlan, result: TestResult): TestResult {
  const named = { ...result, name: plan.label };
  if (plan.expect === 'pass') {
    if (result.status === 'pass') return named;
    if (result.status === 'skip') return { ...named, status: 'fail', note: 'skipped, but this kernel is the tree the trace describes (mainline-6.12)', details: [`trace ${plan.label}`] };
    return { ...named, details: failureDetails(plan, result) };
  }
  if (result.status === 'skip') return named;
  const why = `${plan.trace.config?.variant ?? 'rfc-v2'} expected to SKIP here (this kernel lacks its uapi), but it ${result.status === 'pass' ? 'ran and passed' : result.status === 'timeout' ? 'timed out' : 'ran and failed'}`;
  return { ...named, status: 'fail', note: result.note ? `${why}; ${result.note}` : why, details: result.status === 'pass' ? [`trace ${plan.label}`] : failureDetails(plan, result) };
}
