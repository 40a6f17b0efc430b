/**
 * A finding's path turned into what a reviewer reads and a tool runs: the
 * gmem-trace/1 file (every step with the outcome it had as `expect`, the
 * invariants the setting is known to break as `expectViolation`), the ITF
 * trace (Informal Trace Format, as Apalache and Quint write it), and the
 * block pictures step by step. Replaying the trace is how the finding is
 * confirmed: `reproduced` says whether replay reports the same invariant.
 */
import { scopeNameOf } from './settings';
import { drawBlock } from '../../machines/block.picture';
import type { StepOutcome } from '../interpreter/outcome';
import type { Expectation, Trace } from '../trace/schema';
import { HANG } from '../trace/schema';
import { describeOutcome, runTrace, traceConfig } from '../trace/replay';
import { excusable } from '../../machines/expectations';
import { takeStep } from '../engine/step';
import type { Model } from './expand';
import { itfTrace } from './itf';
import { stepLabel } from './operations';
import type { Finding } from './search';
import { rootSimulator } from './state-codec';
import type { StateVars } from './state-view';
import { blockViews, stateVars } from './state-view';
import type { InvariantName } from '../../machines/invariants';

export interface Counterexample {
  finding: Finding;
  trace: Trace;
  itf: object;
  /** per step: its label, outcome, the invariants it broke with what the simulator said of each, and the state after it drawn block by block. */
  pictures: Array<{ step: string; outcome: string; violations: string[]; details: string[]; blocks: string[] }>;
  /** replay reports this invariant (excused as declared, or as the failure). */
  reproduced: boolean;
  replay: string;
}

/** A step's outcome as its trace expectation (TRACE-FORMAT expect). */
export function expectOf(outcome: StepOutcome | undefined): Expectation {
  if (!outcome || outcome.kind === 'nofile') return undefined;
  if (outcome.kind === 'ok') return outcome.data ? { data: Buffer.from(outcome.data).toString('hex') } : 'ok';
  // Only a finding's last step can hang (a hang has no successor state), where "HANG" is valid.
  if (outcome.kind === 'hang') return HANG;
  if (outcome.errorOffset !== undefined) return { error: outcome.error, errorOffset: outcome.errorOffset };
  if (outcome.exit) return { error: outcome.error, exit: outcome.exit };
  return outcome.error;
}

/** A setting as a directory name (`rfc-v2.sw-protected.split-lazy`). */
export function slug(setting: Model['setting']): string {
  const { variant, vmType, policy } = setting;
  const changed = Object.entries(policy).filter(([k, v]) => (DEFAULTS as Record<string, string>)[k] !== v);
  return [variant, vmType, ...changed.map(([k, v]) => `${k}-${v}`), ...(setting.faults ?? []).map((f) => `fault-${f}`)].join('.');
}
const DEFAULTS = { split: 'eager', afterTruncate: 'keep', restore: 'allocator-wrapper', truncateWhilePinned: 'eagain' };

export function counterexample(model: Model, finding: Finding): Counterexample {
  const config = model.setup.config;
  const sim = rootSimulator(model.setup);
  const steps: Array<Trace['steps'][number]> = [];
  const pictures: Counterexample['pictures'] = [];
  const states: Array<StateVars & { action: string; outcome: string; violations: string[] }> = [];
  const seen = new Set<InvariantName>();
  for (const step of finding.steps) {
    let outcome: StepOutcome | undefined;
    let violations: InvariantName[] = [];
    let details: string[] = [];
    let crashed: string | undefined;
    try {
      const r = takeStep(sim, step);
      outcome = r.outcome;
      violations = [...new Set(r.violations.map((v) => v.invariant))];
      details = [...new Set(r.violations.map((v) => `${v.invariant} at ${v.where}: ${v.detail}`))];
    } catch (err) {
      crashed = err instanceof Error ? err.message : String(err);
    }
    violations.forEach((v) => seen.add(v));
    const expect = expectOf(outcome);
    steps.push({ ...step, ...(expect !== undefined ? { expect } : {}) } as Trace['steps'][number]);
    const outcomeText = crashed ? `internal error: ${crashed}` : outcome ? describeOutcome(outcome) : '';
    pictures.push({ step: stepLabel(step), outcome: outcomeText, violations, details, blocks: drawState(sim) });
    const vars = stateVars(sim);
    if (vars) states.push({ action: stepLabel(step), outcome: outcomeText, violations, ...vars });
    if (crashed) break;
  }
  const injects = finding.steps.some((s) => s.op === 'inject');
  const allowed = excusable(config, injects);
  const declared = [...seen].filter((i) => allowed.has(i)).sort();
  // A named scope other than the start scope names its counterexamples apart: the same setting's traces of both scopes make distinct selftests.
  const scopeName = scopeNameOf(model.scope);
  const prefix = scopeName && scopeName !== 'start' ? `${scopeName}-` : '';
  const name = `explore-${prefix}${slug(model.setting)}-${finding.invariant}${finding.defect ? `-${finding.defect}` : ''}`.toLowerCase();
  const trace: Trace = {
    format: 'gmem-trace/1',
    name,
    description: `Shortest counterexample for ${finding.invariant}${finding.defect ? ` (known defect ${finding.defect})` : ''} found by gmem explore (${model.setting.variant}, ${model.setting.vmType}, scope ${scopeText(model)}).`,
    config: traceConfig(config),
    ...(declared.length ? { expectViolation: declared.length === 1 ? declared[0]! : declared } : {}),
    steps,
  };
  const { reproduced, replay } = confirm(model, finding, trace);
  return { finding, trace, itf: itfTrace(name, trace.description!, states as unknown as Array<Record<string, unknown>>), pictures, reproduced, replay };
}

function confirm(model: Model, finding: Finding, trace: Trace): { reproduced: boolean; replay: string } {
  try {
    const r = runTrace(trace, model.setting.faults);
    if (r.pass) {
      const ok = r.excused.some((v) => v.invariant === finding.invariant);
      return { reproduced: ok, replay: ok ? `pass, ${finding.invariant} excused as expected` : 'pass (the violation did not happen)' };
    }
    const f = r.failure!;
    return { reproduced: f.actual.startsWith(`${finding.invariant} violated`), replay: `FAIL at step ${f.step} (${f.op}): ${f.actual}` };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { reproduced: finding.invariant === 'CRASH', replay: `internal error: ${message}` };
  }
}

export function scopeText(model: Model): string {
  const s = model.scope;
  return `${s.blocks} block(s) x ${s.pages} pages, ${s.processes} process(es), ${s.pins} pin(s), ${s.values} value(s), depth ${s.depth}${s.symmetry ? ', symmetry' : ''}`;
}

/** Each block as `|PS| [HH]` (machines/block.picture.ts) with guest and host mappings and the page bytes. */
export function drawState(sim: ReturnType<typeof rootSimulator>): string[] {
  const vars = stateVars(sim);
  if (!vars) return ['(no file)'];
  const views = blockViews(sim);
  const n = views[0]!.pages.length;
  return views.map((view, b) => {
    const pages = Array.from({ length: n }, (_, i) => b * n + i);
    const guest = pages.map((p) => ({ none: '.', '4k': '4', huge: 'H' })[vars.guestMapping[p] as 'none' | '4k' | 'huge']).join('');
    const host = pages.map((p) => (vars.hostMapped[p]!.length === 0 ? '.' : vars.hostMapped[p]!.length > 1 ? '*' : String(vars.hostMapped[p]![0]))).join('');
    const bytes = pages.map((p) => (vars.shareability[p] && sim.file!.isAllocated(p) ? vars.bytes[p]!.toString(16).padStart(2, '0') : '--')).join(' ');
    return `${drawBlock(view)}  guest ${guest}  host ${host}  bytes ${bytes}`;
  });
}
