/**
 * One step of the model, the only way any consumer moves the simulator:
 * `begin` clears the step's scratch and keeps what the invariants need of
 * the state before, the operation runs through the operation table (or, for
 * the machine walks, a machine event runs on the file), and `finish` checks
 * every invariant after it. `takeStep` is the three for a trace step.
 */
import type { Before, Violation } from '../invariants/invariants';
import { captureBefore, checkInvariants, conversionPages } from '../invariants/invariants';
import type { Shareability } from '../../machines/policy';
import type { Simulator } from '../interpreter/simulator';
import type { StepOutcome } from '../interpreter/outcome';
import type { TraceStep } from '../trace/schema';
import type { CheckedField, Mismatch } from './observe';
import { checkedFields, mismatchOf } from './observe';
import { readsOf } from './reads';
import { execute } from './operations';
import type { InvariantName } from '../../machines/invariants';

/** The step's input cannot happen, found while running it: the field (relative to the step) and why. */
export interface InvalidInput {
  field: 'access';
  what: string;
}

export interface StepResult {
  /** what the operation returned (none for `check`). */
  outcome?: StepOutcome;
  /** a `check` step's fields, each with what the simulator shows. */
  checked?: CheckedField[];
  /** a `check` step's fields that differ from what it expects. */
  mismatch?: Mismatch;
  violations: Violation[];
  invalid?: InvalidInput;
}

/** A step under way: the state before it, as the invariants need it. */
export interface Begun {
  before: Before;
  /** a conversion's page range, clamped to the file. */
  range?: { from: number; to: number };
}

/**
 * Clears the per-step scratch (the pages first exposed, the failed
 * conversion unit, an impossible access, the file's change summary and the
 * content breaks seen) and captures the state before the step; for a
 * conversion, its range's pages, mappings and bytes (INV-3, 6, 9, 12).
 */
export function begin(sim: Simulator, convertRange?: { offset: number; length: number }): Begun {
  sim.exposed = [];
  sim.convertFailure = undefined;
  sim.impossibleAccess = undefined;
  const file = sim.file;
  if (file) {
    file.changes.shareability = { count: 0, first: Infinity, last: -Infinity };
    file.contentBreaks = [];
  }
  const range = convertRange && file ? conversionPages(file.nPages, sim.config.pageSize, convertRange.offset, convertRange.length) : undefined;
  return { before: captureBefore(sim, range), ...(range ? { range } : {}) };
}

/**
 * Every invariant after the step: `op` names it in violations, `ok` says
 * whether it succeeded, `hang` why it never returned (INV-14 is then its
 * only verdict), `convert` a conversion's pages and target, so INV-3, 6, 9
 * and 12 judge that range (with the unit at which it failed, when it did).
 */
export function finish(sim: Simulator, begun: Begun, step: { op: string; ok: boolean; hang?: string; convert?: { from: number; to: number; target: Shareability } }): Violation[] {
  const { convert } = step;
  return checkInvariants(sim, {
    op: step.op,
    ok: step.ok,
    ...(step.hang !== undefined ? { hang: step.hang } : {}),
    before: begun.before,
    ...(convert ? { convert: { ...convert, ...(sim.convertFailure ? { failedUnit: sim.convertFailure } : {}) } } : {}),
  });
}

/** One trace step on the simulator and every invariant after it. */
export function takeStep(sim: Simulator, step: TraceStep): StepResult {
  const begun = begin(sim, step.op === 'convert' ? step : undefined);
  const outcome = step.op === 'check' ? undefined : execute(sim, step);
  const checked = step.op === 'check' ? checkedFields(readsOf(sim), step.expect) : undefined;
  const mismatch = checked && mismatchOf(checked);
  const convert = step.op === 'convert' && begun.range ? { ...begun.range, target: step.to } : undefined;
  const violations = finish(sim, begun, {
    op: step.op,
    ok: outcome ? outcome.kind === 'ok' : true,
    ...(outcome?.kind === 'hang' ? { hang: outcome.reason } : {}),
    ...(convert ? { convert } : {}),
  });
  const invalid = invalidInput(sim);
  return { ...(outcome ? { outcome } : {}), ...(checked ? { checked } : {}), ...(mismatch ? { mismatch } : {}), violations, ...(invalid ? { invalid } : {}) };
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

export type { InvariantName, Violation };
