/** The deck's six use cases, each walked on the range machine to the deck's target state. */
import { createActor } from 'xstate';
import { stateLabel } from '../machines/outcome-table';
import { rangeMachine } from '../machines/range.machine';
import { DECK_USE_CASES } from '../machines/usecases';

describe('the deck\'s use cases', () => {
  it('there are the deck\'s six', () => {
    expect(DECK_USE_CASES.map((u) => u.deck.split(' - ')[0])).toEqual([
      'Initial faultable unallocated',
      'Initial unfaultable unallocated',
      'Faultable allocated -> truncate pending',
      'Unfaultable allocated -> truncate ready',
      'Truncate ready -> faultable unallocated',
      'Truncate ready -> unfaultable unallocated',
    ]);
  });

  for (const useCase of DECK_USE_CASES) {
    it(`${useCase.name}: ${useCase.deck}`, () => {
      const actor = createActor(rangeMachine, { input: useCase.input }).start();
      const refusals: string[] = [];
      actor.on('refused', (e) => refusals.push(e.errno));
      const visited = [stateLabel(actor.getSnapshot().value)];
      for (const event of useCase.events) {
        actor.send(event);
        visited.push(stateLabel(actor.getSnapshot().value));
      }
      expect(refusals).toEqual([]);
      if (useCase.from) expect(visited).toContain(useCase.from);
      expect(visited[visited.length - 1]).toBe(useCase.to);
    });
  }
});
