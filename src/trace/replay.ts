/**
 * Replays gmem-trace/1 files (docs/TRACE-FORMAT.md) on a fresh simulator:
 * each step's outcome against its `expect`, and every invariant after every
 * step. A failure names the step index, the op, what was expected and what
 * happened; an invalid file names the file and the JSON path.
 */
import { readFileSync } from 'node:fs';
import { checkInvariants, captureBefore, conversionPages } from '../invariants/invariants';
import type { InvariantName, Violation } from '../invariants/invariants';
import { fallocate, punchHole, settle } from '../interpreter/allocation';
import { defectInvariants } from '../../machines/known-defects';
import { convert } from '../interpreter/convert';
import { pin, unpin } from '../interpreter/pins';
import type { FaultName, Payload, SimConfig, StepOutcome } from '../interpreter/simulator';
import { createRefusal, defaultConfig, fail, isFile, OK, Simulator } from '../interpreter/simulator';
import { observe } from './observe';
import type { Expectation, Trace, TraceStep } from './schema';
import { HANG, jsonPath, structuralProblems, traceSchema } from './schema';
import { firstIssue, unknownField } from './field-suggestion';

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

/** The step's input cannot happen, found while running it: the field (relative to the step) and why. */
export interface InvalidInput {
  field: 'access';
  what: string;
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
    return invalid('$', `not JSON: ${(err as Error).message}`);
  }
  const parsed = traceSchema.safeParse(json);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error.issues);
    const unknown = unknownField(traceSchema, json, issue);
    if (unknown) return invalid(unknown[0], unknown[1]);
    return invalid(jsonPath(issue.path), describeIssue(issue));
  }
  const problem = structuralProblems(parsed.data)[0];
  if (problem) return invalid(problem[0], problem[1]);
  return { ok: true, trace: parsed.data };
}

function describeIssue(issue: { code: string; message: string; keys?: string[]; path: PropertyKey[] }): string {
  if (issue.code === 'unrecognized_keys' && issue.keys) return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_union' && issue.path[issue.path.length - 1] === 'op') return `unknown op (${issue.message})`;
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

/** The invariants the trace's policies are known to break (DOMAIN 8). */
export function policyExcusable(config: SimConfig): Set<InvariantName> {
  const out = new Set<InvariantName>();
  if (config.policy.split === 'lazy') (['INV-2', 'INV-4'] as const).forEach((i) => out.add(i));
  if (config.policy.afterTruncate === 'reset') out.add('INV-6');
  if (config.policy.restore === 'inode-held') out.add('INV-10');
  return out;
}

/**
 * Stricter than `excusable`, for generated walks: a policy's invariants, or a
 * violation that a known defect of the variant produced (its `defect` tag).
 */
export function excusedInWalk(config: SimConfig, injects: boolean): (v: Violation) => boolean {
  const policy = policyExcusable(config);
  const defects = excusable(config, injects);
  return (v) => policy.has(v.invariant) || (v.defect !== undefined && defects.has(v.invariant));
}

/** The invariants a trace's own settings are known to break (TRACE-FORMAT policies). */
export function excusable(config: SimConfig, injects: boolean): Set<InvariantName> {
  const out = new Set<InvariantName>();
  if (config.policy.split === 'lazy') (['INV-2', 'INV-4'] as const).forEach((i) => out.add(i));
  if (config.policy.afterTruncate === 'reset') out.add('INV-6');
  if (config.policy.restore === 'inode-held') out.add('INV-10');
  // The tree's known defects (DOMAIN 7.3; machines/known-defects.ts).
  for (const name of defectInvariants(config.variant, injects)) out.add(name as InvariantName);
  return out;
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
    const { outcome, mismatch, violations, invalid } = runStep(sim, step);
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

/**
 * One step on the simulator and every invariant after it: the outcome (or,
 * for check, the mismatch) and the violations, with the context the
 * invariants need (the picture before, the conversion's range and failure).
 */
export function runStep(sim: Simulator, step: TraceStep): { outcome?: StepOutcome; mismatch?: ReturnType<typeof observe>; violations: Violation[]; invalid?: InvalidInput } {
  const nPages = sim.file?.nPages;
  const range = step.op === 'convert' && nPages !== undefined ? conversionPages(nPages, sim.config.pageSize, step.offset, step.length) : undefined;
  const before = captureBefore(sim, range);
  sim.exposed = [];
  sim.convertFailure = undefined;
  sim.impossibleAccess = undefined;
  const outcome = step.op === 'check' ? undefined : execute(sim, step);
  const mismatch = step.op === 'check' ? observe(sim, step.expect) : undefined;
  const violations = checkInvariants(sim, {
    op: step.op,
    ok: outcome ? outcome.kind === 'ok' : true,
    ...(outcome?.kind === 'hang' ? { hang: outcome.reason } : {}),
    before,
    ...(range && step.op === 'convert' ? { convert: { ...range, target: step.to, ...(sim.convertFailure ? { failedUnit: sim.convertFailure } : {}) } } : {}),
  });
  const invalid = invalidInput(sim);
  return { ...(outcome ? { outcome } : {}), ...(mismatch ? { mismatch } : {}), violations, ...(invalid ? { invalid } : {}) };
}

/**
 * What the step asked that cannot happen, as found while it ran: a
 * sw-protected guest access whose explicit `access` contradicts a page it
 * reached. KVM takes such a VM's access type from the attribute
 * (S-KVM `kvm_mmu_page_fault`, `kvm_mem_is_private`), so the access cannot
 * mismatch (DOMAIN 4 guest access; TRACE-FORMAT Validity; E8).
 */
function invalidInput(sim: Simulator): InvalidInput | undefined {
  const bad = sim.impossibleAccess;
  if (!bad) return undefined;
  return {
    field: 'access',
    what: `a ${bad.access} access reaches page ${bad.page}, which is ${bad.shareability}: on a sw-protected VM the access type is the page's attribute (KVM's kvm_mmu_page_fault takes it from kvm_mem_is_private), so "access" may only restate it`,
  };
}

function payloadOf(step: { data?: string; fill?: string; length?: number }): { payload: Payload; length: number } {
  if (step.data !== undefined) {
    const data = Buffer.from(step.data, 'hex');
    return { payload: { data }, length: data.length };
  }
  return { payload: { fill: parseInt(step.fill!, 16), length: step.length! }, length: step.length! };
}

export function execute(sim: Simulator, step: Exclude<TraceStep, { op: 'check' }>): StepOutcome {
  switch (step.op) {
    case 'create':
      if (sim.file) return fail('EINVAL'); // one file per trace; validation forbids a second create after an ok one
      return sim.create(step.size, step.flags);
    case 'hostRead':
      return sim.hostAccess(step.offset, step.length, step.process ?? 0);
    case 'hostWrite': {
      const { payload, length } = payloadOf(step);
      return sim.hostAccess(step.offset, length, step.process ?? 0, payload);
    }
    case 'guestRead':
      return sim.guestAccess(step.offset, step.length, step.access);
    case 'guestWrite': {
      const { payload, length } = payloadOf(step);
      return sim.guestAccess(step.offset, length, step.access, payload);
    }
    case 'convert':
      return convert(sim, step.offset, step.length, step.to);
    case 'fallocate':
      return fallocate(sim, step.offset, step.length, step.mode ?? ['keep-size']);
    case 'punchHole':
      return punchHole(sim, step.offset, step.length, step.mode ?? ['punch-hole', 'keep-size']);
    case 'pin':
      return pin(sim, step.offset, step.process ?? 0);
    case 'unpin':
      return unpin(sim, step.offset);
    case 'munmap':
      return sim.munmap(step.offset, step.length, step.process ?? 0);
    case 'closeFd':
      return sim.closeFd();
    case 'unbind':
      return sim.unbind();
    case 'close':
      return sim.close();
    case 'settle':
      return settle(sim);
    case 'inject': {
      const file = sim.openFile();
      if (!isFile(file)) return file;
      file.splitArmed = true; // a second inject while armed changes nothing
      return OK;
    }
  }
}

function matches(outcome: StepOutcome, expect: NonNullable<Expectation>, step: TraceStep): boolean {
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

