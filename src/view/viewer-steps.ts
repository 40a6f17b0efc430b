/**
 * The steps the viewer page walks through: for a use case or a one-block
 * trace, each operation with the block machine's state after it (every
 * page's range state, the folio's file and wrapper states, pins), the
 * refusal if any, and the simulator's arena summary.
 */
import type { AnyStateMachine } from 'xstate';
import { initialTransition, transition } from 'xstate';
import { blockViewOf, createBlockMachine } from '../../machines/block.machine';
import type { BlockView } from '../../machines/block.plan';
import { opLabel } from '../../machines/block.plan';
import { formatRefusal, refusalsOf } from '../../machines/outcome';
import { Simulator } from '../interpreter/simulator';
import type { ArenaSummary, InspectSource } from '../inspect/inspect-replay';
import { arenaSummary } from '../inspect/inspect-replay';
import { runStep } from '../trace/replay';
import { simConfig, traceStepFor, WALK_PAGE } from '../walk/block-walk';

export interface ViewerStep {
  index: number;
  op: string;
  refusal?: string;
  block: BlockView & { open: boolean };
  arena: ArenaSummary;
}

export function viewerSteps(source: InspectSource): ViewerStep[] {
  const { setting } = source;
  const machine = createBlockMachine(setting.pages) as unknown as AnyStateMachine;
  let snapshot = initialTransition(machine, setting.input)[0];
  const sim = new Simulator(simConfig(setting));
  runStep(sim, { op: 'create', size: WALK_PAGE * setting.pages, flags: ['mmap', 'hugetlb', ...(setting.input.initial === 'shared' ? (['init-shared'] as const) : [])], expect: 'ok' });
  const steps: ViewerStep[] = [{ index: 0, op: 'start', block: blockViewOf(snapshot as never), arena: arenaSummary(sim) }];
  source.ops.forEach((op, i) => {
    const [next, actions] = transition(machine, snapshot, op as never);
    snapshot = next;
    const refusal = refusalsOf(actions)[0];
    runStep(sim, traceStepFor(op, setting.pages, refusal));
    steps.push({ index: i + 1, op: opLabel(op), ...(refusal ? { refusal: formatRefusal(refusal) } : {}), block: blockViewOf(snapshot as never), arena: arenaSummary(sim) });
  });
  return steps;
}
