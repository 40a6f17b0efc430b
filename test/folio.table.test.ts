/**
 * Every configuration (file state x wrapper state) x every event of the folio
 * machine, under every policy combination, against machines/folio.table.ts.
 */
import { folioMachine, FOLIO_FILE_STATES, FOLIO_WRAPPER_STATES } from '../machines/folio.machine';
import {
  FOLIO_EVENT_VARIANTS, FOLIO_FILE_EVENT_VARIANTS, FOLIO_FILE_TABLE, FOLIO_INPUTS,
  FOLIO_WRAPPER_EVENT_VARIANTS, FOLIO_WRAPPER_TABLE, composeFolioExpected,
} from '../machines/folio.table';
import { outcomeOf, UNHANDLED } from '../machines/outcome-table';

describe('folio machine: complete state x event table', () => {
  it('each region table names every event of its region in every state', () => {
    for (const s of FOLIO_FILE_STATES) {
      expect(Object.keys(FOLIO_FILE_TABLE[s]).sort()).toEqual(FOLIO_FILE_EVENT_VARIANTS.map((v) => v.label).sort());
    }
    for (const s of FOLIO_WRAPPER_STATES) {
      expect(Object.keys(FOLIO_WRAPPER_TABLE[s]).sort()).toEqual(FOLIO_WRAPPER_EVENT_VARIANTS.map((v) => v.label).sort());
    }
  });

  for (const input of FOLIO_INPUTS) {
    const name = Object.entries(input).map(([k, v]) => `${k}=${v}`).join(' ');
    it(`matches the machine with ${name}`, () => {
      const mismatches: string[] = [];
      for (const file of FOLIO_FILE_STATES) {
        for (const wrapper of FOLIO_WRAPPER_STATES) {
          for (const { label, event } of FOLIO_EVENT_VARIANTS) {
            const actual = outcomeOf(folioMachine, input, { file, wrapper }, event);
            const expected = composeFolioExpected(file, wrapper, label, input);
            if (actual === UNHANDLED || actual !== expected) {
              mismatches.push(`${file}+${wrapper} ${label}: expected ${expected}, machine ${actual}`);
            }
          }
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});
