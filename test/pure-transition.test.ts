/**
 * The walk steps the machines with one reused actor scope
 * (machines/pure-transition.ts) instead of xstate's exported transition(),
 * which builds a throw-away actor per call. Both must give the same next
 * state, context and actions on every (state, event) the walks reach.
 */
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import { initialTransition, transition } from 'xstate';
import { blockStateKey, reachableBlockPaths } from '../machines/block.reachable';
import { createBlockMachine } from '../machines/block.machine';
import { blockOpVariants } from '../machines/block.plan';
import { folioMachine, FOLIO_FILE_STATES, FOLIO_WRAPPER_STATES } from '../machines/folio.machine';
import { FOLIO_EVENT_VARIANTS, FOLIO_INPUTS } from '../machines/folio.table';
import { pathToValue } from '../machines/outcome-table';
import { initialSnapshot, pureTransition } from '../machines/pure-transition';
import { rangeMachine, RANGE_STATES } from '../machines/range.machine';
import { RANGE_EVENT_VARIANTS, RANGE_INPUTS } from '../machines/range.table';
import { blockSettings } from '../src/walk/block-walk';

/** What a step is observed by: the state, the context, and the actions (type and params). */
function observed([snapshot, actions]: [AnyMachineSnapshot, ReadonlyArray<{ type: string; params?: unknown }>]) {
  return { value: snapshot.value, context: snapshot.context, status: snapshot.status, actions: actions.map((a) => ({ type: a.type, params: a.params })) };
}

/** Compares as JSON (contexts and params are plain data) and names the pairs that differ. */
function sameAnswers(machine: AnyStateMachine, starts: ReadonlyArray<AnyMachineSnapshot>, events: ReadonlyArray<object>): number {
  let compared = 0;
  const differ: string[] = [];
  for (const start of starts) {
    for (const event of events) {
      const pure = JSON.stringify(observed(pureTransition(machine, start, event) as never));
      const xstate = JSON.stringify(observed(transition(machine, start, event as never) as never));
      if (pure !== xstate) differ.push(`${JSON.stringify(start.value)} ${JSON.stringify(event)}: ${pure} against ${xstate}`);
      compared++;
    }
  }
  expect(differ).toEqual([]);
  return compared;
}

describe('pure transitions with a reused scope', () => {
  it('the initial snapshot is initialTransition()`s, built once per input', () => {
    const machine = createBlockMachine(2) as unknown as AnyStateMachine;
    const input = { initial: 'private' as const, policy: { split: 'lazy' as const } };
    const a = initialSnapshot(machine, input);
    expect(initialSnapshot(machine, { ...input })).toBe(a);
    expect(observed([a, []])).toEqual(observed([initialTransition(machine, input)[0], []]));
    expect(initialSnapshot(machine, { initial: 'shared' })).not.toBe(a);
  });

  // Two inputs keep the test short (xstate's own transition() is the slow side): the kernel's policies from
  // shared, and the setting with the most states (deferred truncation, from private).
  it('block machine: every reachable state x operation of two walk settings', () => {
    const machine = createBlockMachine(2) as unknown as AnyStateMachine;
    const inputs = blockSettings()
      .filter((s) => s.name === 'rfc-v2 shared kernel policies' || s.name === 'rfc-v2 private truncateWhilePinned=defer')
      .map((s) => s.input);
    expect(inputs).toHaveLength(2);
    let compared = 0;
    for (const input of inputs) {
      const states = reachableBlockPaths(2, input).map((p) => p.state as unknown as AnyMachineSnapshot);
      expect(new Set(states.map((s) => blockStateKey(s as never))).size).toBe(states.length);
      compared += sameAnswers(machine, states, blockOpVariants(2));
    }
    expect(compared).toBeGreaterThan(2000);
  });

  it('range and folio machines: every state x event under every input', () => {
    const range = rangeMachine as unknown as AnyStateMachine;
    for (const input of RANGE_INPUTS) {
      const context = initialSnapshot(range, input).context;
      const starts = RANGE_STATES.map((s) => range.resolveState({ value: pathToValue(s), context }));
      sameAnswers(range, starts, RANGE_EVENT_VARIANTS.map((v) => v.event));
    }
    const folio = folioMachine as unknown as AnyStateMachine;
    for (const input of FOLIO_INPUTS) {
      const context = initialSnapshot(folio, input).context;
      const starts = FOLIO_FILE_STATES.flatMap((file) => FOLIO_WRAPPER_STATES.map((wrapper) => folio.resolveState({ value: { file, wrapper }, context })));
      sameAnswers(folio, starts, FOLIO_EVENT_VARIANTS.map((v) => v.event));
    }
  });
});
