/**
 * What `gmem replay` prints of a replayed file: `pass NAME` or
 * `FAIL NAME (FILE)` with the failing step, its expectation and outcome and
 * the block(s) the step touched drawn as the tests draw them; a step that
 * never returns; the same as JSON or as a test result for the KTAP and JUnit
 * reporters; the closing `N passed, M failed`.
 */
import type { Trace } from '../../trace/schema';
import type { ReplayedFile } from '../../trace/replay-files';
import { configOf } from '../../trace/replay';
import { simulate } from '../../engine/session';
import { drawTouched } from './sim-block-picture';
import type { TestResult } from './test-result';

/** A replayed file with the pictures of the blocks its failing step touched. */
export type FileReport = (Extract<ReplayedFile, { status: 'pass' | 'FAIL' }> & { blocks: string[] }) | Extract<ReplayedFile, { status: 'INVALID' }>;
type Ran = Extract<FileReport, { status: 'pass' | 'FAIL' }>;

/** The simulator after the failing step, its touched blocks drawn. */
function blocksAtFailure(trace: Trace, step: number): string[] {
  if (step < 0) return [];
  const run = simulate(configOf(trace));
  for (const s of trace.steps.slice(0, step + 1)) run.step(s);
  return drawTouched(run.file(), trace.steps[step]!);
}

export function withFailurePictures(r: ReplayedFile): FileReport {
  if (r.status === 'INVALID') return r;
  return { ...r, blocks: r.result.failure ? blocksAtFailure(r.trace, r.result.failure.step) : [] };
}

/** The failure's lines: where, expected, actual, then the touched blocks after the step. */
function failureLines(r: Ran): string[] {
  const f = r.result.failure;
  if (!f) return [];
  const where = f.step < 0 ? 'at the end' : `step ${f.step} (${f.op})`;
  const lines = [`${where}: expected ${f.expected}`, `${' '.repeat(where.length)}  actual   ${f.actual}`];
  if (r.blocks.length) lines.push(`after the step: ${r.blocks[0]}`, ...r.blocks.slice(1).map((b) => `${' '.repeat('after the step: '.length)}${b}`));
  return lines;
}

/** The step that never returned (INV-14), when the trace's last step did: one line. */
function hangLine(r: Ran): string | undefined {
  const h = r.result.hang;
  return h ? `step ${h.step} (${h.op}) never returns (HANG): ${h.reason}` : undefined;
}

/** The violations a passing trace declared and got, per invariant with the known defects behind it: `INV-9 broken as declared: K2`. */
function declaredBreaks(r: Ran): string | undefined {
  const byInvariant = new Map<string, Set<string>>();
  for (const v of r.result.excused) {
    const defects = byInvariant.get(v.invariant) ?? new Set<string>();
    if (v.defect) defects.add(v.defect);
    byInvariant.set(v.invariant, defects);
  }
  if (!byInvariant.size) return undefined;
  return [...byInvariant].map(([inv, defects]) => `${inv} broken as declared${defects.size ? `: ${[...defects].join(', ')}` : ''}`).join('; ');
}

export function render(r: FileReport): string {
  if (r.status === 'INVALID') return r.message;
  if (r.status === 'pass') {
    const hang = hangLine(r);
    const declared = declaredBreaks(r);
    const line = `pass ${r.result.name}${declared ? ` (${declared})` : ''}`;
    return hang ? `${line}\n  ${hang}` : line;
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

export function asJson(r: FileReport): unknown {
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

export function asTestResult(r: FileReport): TestResult {
  if (r.status === 'INVALID') return { suite: 'invalid files', name: r.file, status: 'error', diagnostics: [r.message], file: r.file };
  const declared = r.status === 'pass' ? declaredBreaks(r) : undefined;
  return {
    suite: r.setting,
    name: r.result.name,
    status: r.status === 'pass' ? (declared ? 'xfail' : 'pass') : 'fail',
    ...(declared ? { expectedFailure: declared } : {}),
    diagnostics: r.status === 'pass' ? [] : [`file: ${r.file}`, ...failureLines(r)],
    ...(r.status === 'pass' && hangLine(r) ? { notes: [hangLine(r)!] } : {}),
    time: r.ms / 1000,
    file: r.file,
  };
}

export function summaryLine(results: ReadonlyArray<FileReport>): string {
  const passed = results.filter((r) => r.status === 'pass').length;
  return `${passed} passed, ${results.length - passed} failed`;
}
