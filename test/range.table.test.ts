/**
 * Every state x every event of the range machine, under every input that the
 * table distinguishes, against the expected table in machines/range.table.ts.
 */
import { rangeMachine, RANGE_STATES } from '../machines/range.machine';
import { RANGE_EVENT_VARIANTS, RANGE_INPUTS, RANGE_TABLE } from '../machines/range.table';
import { expectedFor, outcomeOf, pathToValue, UNHANDLED } from '../machines/outcome-table';

describe('range machine: complete state x event table', () => {
  it('the table names every event variant in every state', () => {
    for (const state of RANGE_STATES) {
      expect(Object.keys(RANGE_TABLE[state]).sort()).toEqual(RANGE_EVENT_VARIANTS.map((v) => v.label).sort());
    }
  });

  for (const input of RANGE_INPUTS) {
    const name = Object.entries(input).map(([k, v]) => `${k}=${v}`).join(' ');
    it(`matches the machine with ${name}`, () => {
      const mismatches: string[] = [];
      for (const state of RANGE_STATES) {
        for (const { label, event } of RANGE_EVENT_VARIANTS) {
          const actual = outcomeOf(rangeMachine, input, pathToValue(state), event);
          const expected = expectedFor(RANGE_TABLE[state][label]!, input);
          if (actual === UNHANDLED || actual !== expected) mismatches.push(`${state} ${label}: expected ${expected}, machine ${actual}`);
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});
