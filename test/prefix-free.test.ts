/**
 * withoutPrefixPaths is xstate/graph's default de-duplication of generated
 * paths, in linear time: it must keep the same paths in the same order.
 */
import fc from 'fast-check';
import type { AnyStateMachine } from 'xstate';
import { createTestModel } from 'xstate/graph';
import { folioMachine } from '../machines/folio.machine';
import { FOLIO_EVENT_VARIANTS, FOLIO_INPUTS } from '../machines/folio.table';
import { stateLabel } from '../machines/outcome-table';
import { withoutPrefixPaths } from '../src/walk/prefix-free';

type Path = { id: number; steps: Array<{ event: unknown }> };

/** The library's rule written plainly: longest first (stable), kept unless a kept path starts with it. */
function naive(paths: ReadonlyArray<Path>): Path[] {
  const seq = (p: Path) => p.steps.map((s) => JSON.stringify(s.event));
  const kept: Path[] = [];
  for (const p of [...paths].sort((a, z) => z.steps.length - a.steps.length)) {
    const mine = seq(p);
    if (!kept.some((k) => mine.every((e, i) => e === seq(k)[i]))) kept.push(p);
  }
  return kept;
}

const seed = process.env['GMEM_SEED'] ? Number(process.env['GMEM_SEED']) : undefined;

describe('withoutPrefixPaths', () => {
  it('agrees with the plain rule on random path sets (small alphabets, so prefixes and repeats are common)', () => {
    const event = fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.record({ type: fc.constantFrom('X', 'Y') }));
    const pathSet = fc.array(fc.array(event, { maxLength: 5 }), { maxLength: 12 }).map((seqs) => seqs.map((s, id) => ({ id, steps: s.map((e) => ({ event: e })) })));
    fc.assert(
      fc.property(pathSet, (paths) => {
        expect(withoutPrefixPaths(paths).map((p) => p.id)).toEqual(naive(paths).map((p) => p.id));
      }),
      { numRuns: 500, ...(seed !== undefined ? { seed } : {}) },
    );
  });

  it("keeps exactly the library's simple paths of the folio machine", () => {
    const events = FOLIO_EVENT_VARIANTS.filter((v) => v.event.type !== 'HANDOFF').map((v) => v.event);
    const types = new Set<string>(events.map((e) => e.type));
    const model = createTestModel(folioMachine as unknown as AnyStateMachine, {
      events: events as never,
      filterEvents: ((_: unknown, e: { type: string }) => types.has(e.type)) as never,
      serializeState: ((s: { value: unknown }) => stateLabel(s.value as never)) as never,
    });
    const input = FOLIO_INPUTS[0];
    const sequences = (paths: ReadonlyArray<{ steps: ReadonlyArray<{ event: unknown }> }>) => paths.map((p) => p.steps.map((s) => JSON.stringify(s.event)).join(' '));
    const library = sequences(model.getSimplePaths({ input } as never));
    const ours = sequences(withoutPrefixPaths(model.getSimplePaths({ input, allowDuplicatePaths: true } as never)));
    expect(library.length).toBeGreaterThan(10);
    expect(ours).toEqual(library);
  });
});
