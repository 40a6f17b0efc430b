/**
 * The machines, stepped purely and memoised, so the simulator can keep a page
 * as one byte (its index in RANGE_STATES) and a block's folio as two labels.
 * Every outcome is computed once by xstate's transition() on the real
 * machine and cached per (state, event); nothing here decides anything.
 */
import type { AnyStateMachine } from 'xstate';
import type { FolioEffect, FolioEvent, FolioFileState, FolioInput, FolioWrapperState } from '../../machines/folio.machine';
import { folioMachine } from '../../machines/folio.machine';
import type { Refusal } from '../../machines/outcome';
import { step } from '../../machines/plan-runner';
import type { RangeEvent, RangeInput, RangeState } from '../../machines/range.machine';
import { rangeMachine, RANGE_STATES } from '../../machines/range.machine';

export const PAGE_CODE: Readonly<Record<RangeState, number>> = Object.fromEntries(
  RANGE_STATES.map((s, i) => [s, i]),
) as Record<RangeState, number>;
export const STATE_OF_CODE: ReadonlyArray<RangeState> = RANGE_STATES;
export const SHARED_CODES: ReadonlyArray<number> = RANGE_STATES.map((s, i) => (s.startsWith('faultable') || s.endsWith('.shared') ? i : -1)).filter((i) => i >= 0);
export const IS_SHARED_CODE: ReadonlyArray<boolean> = RANGE_STATES.map((_, i) => SHARED_CODES.includes(i));
export const IS_ALLOCATED_CODE: ReadonlyArray<boolean> = RANGE_STATES.map((s) => s.endsWith('.allocated'));

/** Memoises a constructor per input (compared as JSON): steppers depend on nothing else, so every file shares them. */
function perInput<I, T>(make: (input: I) => T): (input: I) => T {
  const made = new Map<string, T>();
  return (input) => {
    const key = JSON.stringify(input);
    let value = made.get(key);
    if (value === undefined) made.set(key, (value = make(input)));
    return value;
  };
}

/**
 * A memo key for a flat event object: its fields' names and values in
 * order. A third of JSON.stringify's cost, and this runs on every page run
 * of every step the explorer tries; field values are booleans and names, so
 * no two events that differ share a key.
 */
function eventKey(event: object): string {
  let key = '';
  for (const name in event) key += `${name}=${(event as Record<string, unknown>)[name]};`;
  return key;
}

/** One event's effect on every page state: next code, or the refusal. */
export interface PageTable {
  next: Int8Array;
  refusal: Array<Refusal | undefined>;
}

export class RangeStepper {
  private readonly tables = new Map<string, PageTable>();

  /** One stepper per machine input, shared by every file. */
  static readonly for = perInput((input: RangeInput) => new RangeStepper(input));

  private constructor(private readonly input: RangeInput) {}

  /** The event's outcome for every page state, computed once per distinct event. */
  table(event: RangeEvent): PageTable {
    const key = eventKey(event);
    let t = this.tables.get(key);
    if (!t) {
      t = { next: new Int8Array(RANGE_STATES.length), refusal: [] };
      RANGE_STATES.forEach((state, code) => {
        const r = step(rangeMachine as unknown as AnyStateMachine, this.input, state, event);
        t!.refusal[code] = r.refusals[0];
        t!.next[code] = r.refusals.length ? code : PAGE_CODE[r.next as RangeState];
      });
      this.tables.set(key, t);
    }
    return t;
  }
}

export interface FolioState {
  file: FolioFileState;
  wrapper: FolioWrapperState;
}

export interface FolioOutcome {
  next: FolioState;
  refusal?: Refusal;
  effects: FolioEffect[];
}

export class FolioStepper {
  private readonly memo = new Map<string, FolioOutcome>();

  /** One stepper per machine input, shared by every file. */
  static readonly for = perInput((input: FolioInput) => new FolioStepper(input));

  private constructor(private readonly input: FolioInput) {}

  step(state: FolioState, event: FolioEvent): FolioOutcome {
    const key = `${state.file}+${state.wrapper}|${eventKey(event)}`;
    let o = this.memo.get(key);
    if (!o) {
      const r = step(folioMachine as unknown as AnyStateMachine, this.input, { file: state.file, wrapper: state.wrapper }, event);
      const value = r.nextValue as unknown as FolioState;
      o = {
        // A refusal keeps the state unless a tree's defect moves it anyway (K6: the huge folio stays).
        next: { file: value.file, wrapper: value.wrapper },
        refusal: r.refusals[0],
        effects: r.effects as FolioEffect[],
      };
      this.memo.set(key, o);
    }
    return o;
  }
}
