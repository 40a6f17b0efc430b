/**
 * Counts an invariant as evaluated only when its precondition held at that
 * step: INV-3 after a successful conversion, INV-9 when a page was first
 * exposed or bytes were converted, INV-10 at a settle after close with no pin
 * left, INV-12 after a failed conversion. The others apply at every step of
 * an existing file; INV-14 (every operation returns) too, and a step that
 * never returns is judged by INV-14 alone.
 */
import type { Simulator } from '../interpreter/simulator';
import type { StepOutcome } from '../interpreter/outcome';
import type { Ledger } from './coverage';
import type { InvariantName } from '../../machines/invariants';
import { INVARIANT_NAMES } from '../../machines/invariants';

export const INVARIANT_KIND = 'invariants: evaluated where they apply';

export function expectInvariants(ledger: Ledger): void {
  ledger.expect(INVARIANT_KIND, INVARIANT_NAMES);
}

export function recordInvariants(ledger: Ledger, sim: Simulator, op: string, outcome: StepOutcome): void {
  const file = sim.file;
  if (!file) return;
  // INV-14 (liveness) is evaluated at every step; a step that never returns is judged by it alone (DOMAIN 9).
  if (outcome.kind === 'hang') {
    ledger.cover(INVARIANT_KIND, 'INV-14');
    return;
  }
  const convert = op === 'convert';
  const applies: Record<InvariantName, boolean> = {
    'INV-1': true,
    'INV-2': true,
    'INV-3': convert && outcome.kind === 'ok',
    'INV-4': true,
    'INV-5': true,
    'INV-6': true,
    'INV-7': true,
    'INV-8': true,
    'INV-9': sim.exposed.length > 0 || (convert && outcome.kind === 'ok'),
    'INV-10': op === 'settle' && file.released && file.pinStack.length === 0,
    'INV-11': true,
    'INV-12': convert && outcome.kind === 'error',
    'INV-13': true,
    'INV-14': true,
  };
  for (const name of INVARIANT_NAMES) if (applies[name]) ledger.cover(INVARIANT_KIND, name);
}
