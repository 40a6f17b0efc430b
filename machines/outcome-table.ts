/**
 * Computes what a machine does for one (state, event): the next state, "no
 * change", or the refusal it names. Tables, the spec generator and `npm start`
 * all read the machines through this, so what they print is what runs.
 */
import type { AnyEventObject, AnyStateMachine, StateValue } from 'xstate';
import { initialTransition, transition } from 'xstate';
import { formatRefusal, refusalsOf } from './outcome';

/** An event sample with a short label, e.g. `PUNCH(pinned)`. */
export interface EventVariant<E extends AnyEventObject = AnyEventObject> {
  label: string;
  event: E;
}

/** `→ faultable.allocated`, `=` (accepted, unchanged), an errno, or `UNHANDLED`. */
export type OutcomeText = string;
export const UNCHANGED = '=';
export const UNHANDLED = 'UNHANDLED';

/** A state value as a dotted path; parallel regions joined by `+` (`split+counting`). */
export function stateLabel(value: StateValue): string {
  if (typeof value === 'string') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [k, v] = entries[0]!;
    return v === undefined || (typeof v === 'object' && Object.keys(v).length === 0) ? k : `${k}.${stateLabel(v as StateValue)}`;
  }
  return entries.map(([, v]) => stateLabel(v as StateValue)).join('+');
}

/** Parses a dotted path back into a state value (the inverse of stateLabel for one region). */
export function pathToValue(path: string): StateValue {
  const parts = path.split('.');
  let value: StateValue = parts[parts.length - 1]!;
  for (let i = parts.length - 2; i >= 0; i--) value = { [parts[i]!]: value };
  return value;
}

/** Any of the project's machines; typed loosely because each has its own event union. */
export type SomeMachine = object;

export function outcomeOf(someMachine: SomeMachine, input: unknown, value: StateValue, event: AnyEventObject): OutcomeText {
  const machine = someMachine as AnyStateMachine;
  const start = machine.resolveState({ value, context: contextFor(machine, input) });
  if (machine.getTransitionData(start, event).length === 0) return UNHANDLED;
  const [next, actions] = transition(machine, start, event);
  const refusals = refusalsOf(actions);
  const before = stateLabel(start.value);
  const after = stateLabel(next.value);
  // A refusal keeps the state, except where a tree's defect changes it anyway (K6: `ENOMEM → huge`).
  if (refusals.length > 0) return refusals.map(formatRefusal).join(',') + (after === before ? '' : ` → ${after}`);
  return after === before ? UNCHANGED : `→ ${after}`;
}

/** The context a machine builds from its input, without running an actor. */
function contextFor(machine: AnyStateMachine, input: unknown): unknown {
  return initialTransition(machine, input)[0].context;
}

/**
 * A condition on the machine's input, written `key=value & key=value`, or
 * `otherwise`. Expected outcomes that depend on policy are records of these.
 */
export type Expected = OutcomeText | Record<string, OutcomeText>;

export function expectedFor(expected: Expected, input: Record<string, unknown>): OutcomeText | undefined {
  if (typeof expected === 'string') return expected;
  for (const [cond, text] of Object.entries(expected)) {
    if (cond === 'otherwise') return text;
    const holds = cond.split('&').every((clause) => {
      const [k, v] = clause.split('=').map((x) => x.trim());
      return String(input[k!]) === v;
    });
    if (holds) return text;
  }
  return undefined;
}
