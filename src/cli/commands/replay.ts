/**
 * `gmem replay FILE... [--json] [--reporter text|tap|junit]`: runs
 * gmem-trace/1 files on fresh simulators (docs/TRACE-FORMAT.md, replay); `-`
 * reads one trace from standard input. Text: one `pass NAME` or
 * `FAIL NAME (FILE)` line per trace, a failure's step, expectation and
 * outcome and the block(s) the step touched drawn as the tests draw them,
 * then `N passed, M failed`. Exit 0 when all pass, 1 when a trace failed, 2
 * when a file is not a valid trace (2 wins).
 */
import { readFileSync } from 'node:fs';
import type { Command } from '../command';
import { toJunit } from '../../present/report/junit';
import { toKtap } from '../../present/report/ktap';
import { drawTouched } from '../../present/report/sim-block-picture';
import type { Reporter, TestResult } from '../../present/report/test-result';
import { REPORTERS } from '../../present/report/test-result';
import type { Trace } from '../../trace/schema';
import type { TraceResult } from '../../trace/replay';
import { configOf, loadTrace, runTrace } from '../../trace/replay';
import { simulate } from '../../engine/session';
import { InputError } from '../../input-error';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes';

export const STDIN = '-';

type FileResult =
  | { file: string; status: 'pass' | 'FAIL'; result: TraceResult; trace: Trace; setting: string; blocks: string[]; ms: number }
  | { file: string; status: 'INVALID'; message: string };

/** The simulator after the failing step, its touched blocks drawn. */
function blocksAtFailure(trace: Trace, step: number): string[] {
  if (step < 0) return [];
  const run = simulate(configOf(trace));
  for (const s of trace.steps.slice(0, step + 1)) run.step(s);
  return drawTouched(run.file(), trace.steps[step]!);
}

function settingOf(trace: Trace): string {
  const c = configOf(trace);
  return `${c.variant} ${c.vmType}`;
}

export function replayFiles(files: ReadonlyArray<string>, readStdin: () => string = () => readFileSync(0, 'utf8')): FileResult[] {
  return files.map((file): FileResult => {
    const loaded = file === STDIN ? loadTrace('(stdin)', readStdin()) : loadTrace(file);
    const name = file === STDIN ? '(stdin)' : file;
    if (!loaded.ok) return { file: name, status: 'INVALID', message: loaded.message };
    const start = process.hrtime.bigint();
    const result = runTrace(loaded.trace);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    // Invalid input found while running (TRACE-FORMAT Validity): exit 2, as for a file the loader refuses.
    if (result.invalid) return { file: name, status: 'INVALID', message: `INVALID FILE: ${name}: ${result.invalid.path}: ${result.invalid.what}` };
    const blocks = result.failure ? blocksAtFailure(loaded.trace, result.failure.step) : [];
    return { file: name, status: result.pass ? 'pass' : 'FAIL', result, trace: loaded.trace, setting: settingOf(loaded.trace), blocks, ms };
  });
}

export function exitStatus(results: ReadonlyArray<FileResult>): number {
  if (results.some((r) => r.status === 'INVALID')) return EXIT_USAGE;
  if (results.some((r) => r.status === 'FAIL')) return EXIT_FAILED;
  return EXIT_OK;
}

/** The failure's lines: where, expected, actual, then the touched blocks after the step. */
function failureLines(r: Extract<FileResult, { status: 'pass' | 'FAIL' }>): string[] {
  const f = r.result.failure;
  if (!f) return [];
  const where = f.step < 0 ? 'at the end' : `step ${f.step} (${f.op})`;
  const lines = [`${where}: expected ${f.expected}`, `${' '.repeat(where.length)}  actual   ${f.actual}`];
  if (r.blocks.length) lines.push(`after the step: ${r.blocks[0]}`, ...r.blocks.slice(1).map((b) => `${' '.repeat('after the step: '.length)}${b}`));
  return lines;
}

/** The step that never returned (INV-14), when the trace's last step did: one line. */
function hangLine(r: Extract<FileResult, { status: 'pass' | 'FAIL' }>): string | undefined {
  const h = r.result.hang;
  return h ? `step ${h.step} (${h.op}) never returns (HANG): ${h.reason}` : undefined;
}

export function render(r: FileResult): string {
  if (r.status === 'INVALID') return r.message;
  if (r.status === 'pass') {
    const hang = hangLine(r);
    return hang ? `pass ${r.result.name}\n  ${hang}` : `pass ${r.result.name}`;
  }
  return [`FAIL ${r.result.name} (${r.file})`, ...failureLines(r).map((l) => `  ${l}`)].join('\n');
}

/** `expected` as the JSON value the trace gave, when it is one ("SIGBUS", {"fill":"00"}); else the words. */
function jsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function asJson(r: FileResult): unknown {
  if (r.status === 'INVALID') return r;
  const f = r.result.failure;
  return {
    file: r.file,
    status: r.status,
    name: r.result.name,
    setting: r.setting,
    failure: f ? { step: f.step, op: f.op, expected: jsonValue(f.expected), actual: f.actual, blocks: r.blocks } : undefined,
    ...(r.result.hang ? { hang: r.result.hang } : {}),
    excused: r.result.excused,
  };
}

export function asTestResult(r: FileResult): TestResult {
  if (r.status === 'INVALID') return { suite: 'invalid files', name: r.file, status: 'error', diagnostics: [r.message], file: r.file };
  return {
    suite: r.setting,
    name: r.result.name,
    status: r.status === 'pass' ? 'pass' : 'fail',
    diagnostics: r.status === 'pass' ? [] : [`file: ${r.file}`, ...failureLines(r)],
    ...(r.status === 'pass' && hangLine(r) ? { notes: [hangLine(r)!] } : {}),
    time: r.ms / 1000,
    file: r.file,
  };
}

export function summaryLine(results: ReadonlyArray<FileResult>): string {
  const passed = results.filter((r) => r.status === 'pass').length;
  return `${passed} passed, ${results.length - passed} failed`;
}

export function reporterOf(command: string, values: Record<string, unknown>): Reporter {
  const reporter = (values['reporter'] as string | undefined) ?? 'text';
  if (!REPORTERS.includes(reporter as Reporter)) throw new InputError(`${command}: --reporter must be one of ${REPORTERS.join(', ')}, got '${reporter}'`);
  if (values['json'] && reporter !== 'text') throw new InputError(`${command}: give --json or --reporter ${reporter}, not both`);
  return reporter as Reporter;
}

export const replayCommand: Command = {
  name: 'replay',
  summary: 'run gmem-trace/1 files against the simulator, checking every invariant after every step',
  usage:
    'Usage: gmem replay FILE... [--json | --reporter text|tap|junit]\n\n' +
    'Runs each trace (docs/TRACE-FORMAT.md) on a fresh simulator; `-` reads a trace from standard input.\n' +
    'Ends with `N passed, M failed` (an invalid file counts as failed).\n' +
    'Exit status: 0 all passed, 1 a trace failed, 2 a file is not a valid trace.',
  options: { json: { type: 'boolean' }, reporter: { type: 'string' } },
  optionHelp: {
    json: 'print the results as JSON (an array, one object per file; `expected` is a JSON value)',
    reporter: 'text (default), tap (KTAP as kselftest prints it) or junit (JUnit XML, the setting as the suite)',
  },
  examples: ['gmem replay test/traces/*.json', 'cat trace.json | gmem replay --reporter tap -'],
  allowPositionals: true,
  run(values, files) {
    const reporter = reporterOf('replay', values);
    if (files.length === 0) throw new InputError('replay: name at least one trace file');
    if (files.filter((f) => f === STDIN).length > 1) throw new InputError('replay: standard input (-) can be named once');
    const results = replayFiles(files);
    if (values['json']) {
      process.stdout.write(`${JSON.stringify(results.map(asJson), null, 2)}\n`);
    } else if (reporter === 'tap') {
      process.stdout.write(toKtap(results.map(asTestResult)));
    } else if (reporter === 'junit') {
      process.stdout.write(`${toJunit('gmem replay', results.map(asTestResult))}\n`);
    } else {
      for (const r of results) (r.status === 'INVALID' ? process.stderr : process.stdout).write(`${render(r)}\n`);
      process.stdout.write(`${summaryLine(results)}\n`);
    }
    return exitStatus(results);
  },
};
