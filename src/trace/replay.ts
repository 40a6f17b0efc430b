/**
 * Replays gmem-trace/1 files (docs/TRACE-FORMAT.md) on a fresh simulator:
 * each step's outcome against its `expect`, and every invariant after every
 * step. A failure names the step index, the op, what was expected and what
 * happened; an invalid file names the file and the JSON path.
 */
import { readFileSync } from 'node:fs';
import { takeStep } from '../engine/step';
import type { Violation } from '../invariants/invariants';
import type { FaultName, SimConfig } from '../interpreter/config';
import type { StepOutcome } from '../interpreter/outcome';
import { createRefusal } from '../interpreter/ops/create';
import { Simulator } from '../interpreter/simulator';
import { defaultConfig } from '../interpreter/config';
import type { Expectation, Trace, TraceStep } from './schema';
import { HANG, jsonPath, stepSchema, structuralProblems, traceSchema } from './schema';
import { closest, firstIssue, unknownField } from './field-suggestion';
import { jsonErrorWhere } from '../json-error';
import type { InvariantName } from '../../machines/invariants';
import { excusable } from '../../machines/expectations';

export type Loaded = { ok: true; trace: Trace } | { ok: false; message: string };

export interface TraceFailure {
  step: number;
  op: string;
  expected: string;
  actual: string;
}

export interface TraceResult {
  name: string;
  pass: boolean;
  failure?: TraceFailure;
  /** violations the trace declared and that happened. */
  excused: Violation[];
  /** the step that never returned (INV-14, `"HANG"`): the last one replay ran. */
  hang?: { step: number; op: string; reason: string };
  /**
   * The trace is not valid input after all, as found at run time (TRACE-FORMAT
   * Validity: a sw-protected access contradicting the page's attribute): the
   * JSON path and what is wrong. Exit 2, as a file the loader refuses.
   */
  invalid?: { path: string; what: string };
}

/** `given`: the file's content when it is already read (standard input); else it is read from `file`. */
export function loadTrace(file: string, given?: string): Loaded {
  const invalid = (path: string, what: string): Loaded => ({ ok: false, message: `INVALID FILE: ${file}: ${path}: ${what}` });
  let text: string;
  try {
    text = given ?? readFileSync(file, 'utf8');
  } catch (err) {
    return invalid('$', `cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return invalid('$', `not JSON: ${jsonErrorWhere(text, err)}`);
  }
  const parsed = traceSchema.safeParse(json);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error.issues);
    const unknown = unknownField(traceSchema, json, issue);
    if (unknown) return invalid(unknown[0], unknown[1]);
    return invalid(jsonPath(issue.path), describeIssue(issue, json));
  }
  const problem = structuralProblems(parsed.data)[0];
  if (problem) return invalid(problem[0], problem[1]);
  return { ok: true, trace: parsed.data };
}

/** Every op the trace contract has, from the schema, so a new op is named as soon as it exists. */
const OPS: ReadonlyArray<string> = stepSchema.options.map((o) => o.shape.op.value);

/** `unknown op "frob"; did you mean "fallocate"?`, else the ops there are: zod's own wording names its internals. */
function unknownOp(json: unknown, path: ReadonlyArray<PropertyKey>): string {
  const op = path.reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined), json);
  if (typeof op !== 'string') return `missing or not a string (expected one of ${OPS.join(', ')})`;
  const guess = closest(op, OPS);
  return guess ? `unknown op "${op}"; did you mean "${guess}"?` : `unknown op "${op}" (ops: ${OPS.join(', ')})`;
}

function describeIssue(issue: { code: string; message: string; keys?: string[]; path: PropertyKey[] }, json: unknown): string {
  if (issue.code === 'unrecognized_keys' && issue.keys) return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_union' && issue.path[issue.path.length - 1] === 'op') return unknownOp(json, issue.path);
  const missing = /^Invalid input: expected (\w+), received undefined$/.exec(issue.message);
  if (missing) return `missing (expected ${missing[1]})`;
  return issue.message;
}

/** A trace's `config` for a simulator configuration: what a generated trace (a walk path, a counterexample) records. */
export function traceConfig(config: SimConfig): NonNullable<Trace['config']> {
  return {
    variant: config.variant,
    vmType: config.vmType,
    pageSize: config.pageSize,
    hugePageSize: config.hugePageSize,
    poolHugePages: config.poolHugePages,
    policy: { ...config.policy },
  };
}

/** The simulator configuration a trace asks for, with TRACE-FORMAT's defaults. */
export function configOf(trace: Trace): SimConfig {
  const base = defaultConfig({ ...trace.config, policy: trace.config?.policy, poolHugePages: 0 });
  return { ...base, poolHugePages: trace.config?.poolHugePages ?? defaultPool(trace, base) };
}

/** As many huge pages as the first create with hugetlb that the variant would accept would reserve (TRACE-FORMAT create and pool). */
function defaultPool(trace: Trace, config: SimConfig): number {
  const create = trace.steps.find((s) => s.op === 'create' && s.flags.includes('hugetlb') && !createRefusal(config, s.size, s.flags));
  return create && create.op === 'create' ? create.size / config.hugePageSize : 0;
}

/** `faults`: seeded bugs to inject, for tests that prove a generated trace reproduces a failure. */
export function runTrace(trace: Trace, faults?: ReadonlyArray<FaultName>): TraceResult {
  const config = { ...configOf(trace), ...(faults ? { faults } : {}) };
  const sim = new Simulator(config);
  const declared = new Set<InvariantName>(([] as string[]).concat(trace.expectViolation ?? []) as InvariantName[]);
  const allowed = excusable(config, trace.steps.some((s) => s.op === 'inject'));
  const excused: Violation[] = [];
  let hang: TraceResult['hang'];
  const failed = (step: number, op: string, expected: string, actual: string): TraceResult => ({
    name: trace.name,
    pass: false,
    failure: { step, op, expected, actual },
    excused,
    ...(hang ? { hang } : {}),
  });

  for (const [i, step] of trace.steps.entries()) {
    const { outcome, mismatch, violations, invalid } = takeStep(sim, step);
    if (invalid) return { name: trace.name, pass: false, excused, invalid: { path: `$.steps[${i}].${invalid.field}`, what: invalid.what } };
    if (mismatch) return failed(i, step.op, mismatch.expected, mismatch.actual);
    if (outcome?.kind === 'nofile') return failed(i, step.op, describeExpectation(step.expect as Expectation), 'no file: no create has succeeded');
    if (outcome && step.op !== 'check' && step.expect !== undefined && !matches(outcome, step.expect, step)) {
      return failed(i, step.op, describeExpectation(step.expect), describeOutcome(outcome));
    }
    for (const violation of violations) {
      if (declared.has(violation.invariant) && allowed.has(violation.invariant)) {
        excused.push(violation);
        continue;
      }
      return failed(i, step.op, 'every invariant to hold', `${violation.invariant} violated at ${violation.where}: ${violation.detail}`);
    }
    // An operation that never returns ends the replay: nothing after it can run (TRACE-FORMAT replay; DOMAIN 9 INV-14).
    if (outcome?.kind === 'hang') {
      const later = trace.steps.length - 1 - i;
      if (later > 0) {
        return failed(i, step.op, `to return (${later} later step(s) follow it)`, `${describeOutcome(outcome)}: the step never returned, so steps ${i + 1}-${trace.steps.length - 1} cannot run`);
      }
      hang = { step: i, op: step.op, reason: outcome.reason };
      break;
    }
  }
  for (const name of declared) {
    if (!allowed.has(name)) return failed(-1, 'expectViolation', `${name} excused only by settings known to break it`, 'these settings do not break it');
    if (!excused.some((v) => v.invariant === name)) return failed(-1, 'expectViolation', `${name} to be violated`, 'it never was');
  }
  return { name: trace.name, pass: true, excused, ...(hang ? { hang } : {}) };
}

/** Whether an operation's outcome is what the step expects (TRACE-FORMAT matching). */
export function matches(outcome: StepOutcome, expect: NonNullable<Expectation>, step: TraceStep): boolean {
  if (expect === 'ok') return outcome.kind === 'ok';
  if (expect === HANG) return outcome.kind === 'hang';
  // "EFAULT" also matches a memory-fault exit (TRACE-FORMAT matching).
  if (typeof expect === 'string') return outcome.kind === 'error' && outcome.error === expect;
  if ('error' in expect) {
    return (
      outcome.kind === 'error' &&
      outcome.error === expect.error &&
      (expect.errorOffset === undefined || outcome.errorOffset === expect.errorOffset) &&
      (expect.exit === undefined || outcome.exit === expect.exit) &&
      (expect.memoryFault === undefined ||
        (outcome.memoryFault !== undefined &&
          (Object.keys(expect.memoryFault) as Array<keyof typeof expect.memoryFault>).every((k) => expect.memoryFault![k] === outcome.memoryFault![k])))
    );
  }
  if (outcome.kind !== 'ok' || !outcome.data) return false;
  if ('data' in expect) return Buffer.from(outcome.data).toString('hex') === expect.data;
  const length = 'length' in step && typeof step.length === 'number' ? step.length : outcome.data.length;
  const byte = parseInt(expect.fill, 16);
  return outcome.data.length === length && outcome.data.every((b) => b === byte);
}

export function describeExpectation(expect: Expectation): string {
  return expect === undefined ? 'anything (not checked)' : JSON.stringify(expect);
}

export function describeOutcome(outcome: StepOutcome): string {
  if (outcome.kind === 'nofile') return 'no file';
  if (outcome.kind === 'hang') return `${HANG}: never returns (${outcome.reason})`;
  if (outcome.kind === 'error') {
    const mf = outcome.memoryFault;
    return [
      outcome.error,
      outcome.exit ? `exit=${outcome.exit}` : '',
      outcome.errorOffset !== undefined ? `errorOffset=${outcome.errorOffset}` : '',
      mf ? `memoryFault={offset:${mf.offset},size:${mf.size},private:${mf.private}}` : '',
    ].filter(Boolean).join(' ');
  }
  if (!outcome.data) return 'ok';
  const hex = Buffer.from(outcome.data).toString('hex');
  return `ok, read ${hex.length > 64 ? `${hex.slice(0, 64)}... (${outcome.data.length} bytes)` : hex}`;
}

