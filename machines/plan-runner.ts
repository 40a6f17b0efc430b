/**
 * Runs a block plan through the standalone range and folio machines with
 * pure transitions (machines/pure-transition.ts): what the block machine
 * does with its regions, done on plain state labels, so a block can be kept as a few strings (and a
 * page as one). The simulator steps its pages this way; the block test checks
 * that the block machine and this runner agree on every reachable state.
 */
import type { AnyStateMachine } from 'xstate';
import type { BlockOp, BlockView, PlanProfile, PlanStep } from './block.plan';
import { applyBook, applyFolioEffect, expandStep, factsOfView, isBookStep, isPageStep, OPS_AFTER_CLOSE, planOp, planProfileOf } from './block.plan';
import type { Policy, Shareability } from './policy';
import type { Variant } from './variant';
import { profileOf } from './variant';
import type { FolioFileState, FolioInput, FolioWrapperState } from './folio.machine';
import { folioMachine } from './folio.machine';
import type { Refusal } from './outcome';
import { effectsOf, refusalsOf } from './outcome';
import { pathToValue, stateLabel } from './outcome-table';
import { initialSnapshot, pureTransition } from './pure-transition';
import type { RangeInput, RangeState } from './range.machine';
import { rangeMachine } from './range.machine';

export interface MachineInputs {
  range: RangeInput;
  folio: FolioInput;
  /** the tree's choices that change plans (default rfc-v2's). */
  plan?: PlanProfile;
}

export interface PlanResult {
  view: BlockView;
  refusal?: Refusal;
  /** the folio effects, in order, for the arena to apply. */
  effects: string[];
}

/** The standalone machines' inputs for a block of a HugeTLB file of `variant` (its profile, machines/variant.ts). */
export function hugeBlockInputs(variant: Variant, initial: Shareability, policy: Policy): MachineInputs {
  const profile = profileOf(variant);
  return {
    range: { initial, hugetlb: true, afterTruncate: policy.afterTruncate, truncateWhilePinned: policy.truncateWhilePinned },
    folio: { split: policy.split, restore: policy.restore, truncateWhilePinned: policy.truncateWhilePinned, evict: profile.evict, allocSplitFailure: profile.allocSplitFailure },
    plan: planProfileOf(variant),
  };
}

/** One pure step of a standalone machine from a state label. */
export function step(machine: AnyStateMachine, input: unknown, label: string | Record<string, string>, event: object) {
  const value = typeof label === 'string' ? pathToValue(label) : label;
  const context = contextCache(machine, input);
  const start = machine.resolveState({ value, context });
  const [next, actions] = pureTransition(machine, start, event);
  return { next: stateLabel(next.value), nextValue: next.value, refusals: refusalsOf(actions), effects: effectsOf(actions) };
}

/** A machine's context for an input, built once: the machines' contexts are constant policy. */
function contextCache(machine: AnyStateMachine, input: unknown): unknown {
  return initialSnapshot(machine, input).context;
}

export function runPlan(view: BlockView, plan: ReadonlyArray<PlanStep>, inputs: MachineInputs): PlanResult {
  let current: BlockView = view;
  const effects: string[] = [];
  for (const s of plan.flatMap((step) => expandStep(step, view.pages.length))) {
    if (isBookStep(s)) {
      current = { ...current, ...applyBook(current, s) };
      continue;
    }
    if (isPageStep(s)) {
      const { page, ...event } = s;
      const r = step(rangeMachine as unknown as AnyStateMachine, inputs.range, current.pages[page]!, event);
      if (r.refusals.length > 0) return { view: current, refusal: r.refusals[0]!, effects };
      const pages = current.pages.slice();
      pages[page] = r.next as RangeState;
      current = { ...current, pages };
      continue;
    }
    const r = step(folioMachine as unknown as AnyStateMachine, inputs.folio, { file: current.file, wrapper: current.wrapper }, s);
    // Effects apply even with a refusal (splitFailed disarms the injection), as the interpreter's PlanRunner.stepFolio does.
    for (const e of r.effects) current = { ...current, ...applyFolioEffect(current, e as never) };
    effects.push(...r.effects);
    // A refusal normally keeps the state; a tree's defect may move it anyway (K6), so take the machine's next state.
    const value = r.nextValue as { file: FolioFileState; wrapper: FolioWrapperState };
    current = { ...current, file: value.file, wrapper: value.wrapper };
    if (r.refusals.length > 0) return { view: current, refusal: r.refusals[0]!, effects };
  }
  return { view: current, effects };
}

/** The whole operation on a block, the closed-file rule included; `open` is the file after it. */
export function runOp(view: BlockView, open: boolean, op: BlockOp, inputs: MachineInputs): PlanResult & { open: boolean } {
  if (!open && !OPS_AFTER_CLOSE.includes(op.type)) return { view, refusal: { errno: 'EBADF' }, effects: [], open };
  if (op.type === 'injectSplitFailure') return { view: { ...view, splitArmed: true }, effects: [], open };
  const result = runPlan(view, planOp(factsOfView(view, inputs.plan), op), inputs);
  return { ...result, open: open && op.type !== 'close' };
}
