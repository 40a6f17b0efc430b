/**
 * What the viewer can step through: every path the walk generates for each
 * use case (under each of its variant and VM-type runs), and any
 * gmem-trace/1 file given on the command line. Both become a simulator
 * configuration and trace steps; a use case's steps expect what the block
 * machine answers, so its outcome column is the machine against the
 * simulator.
 */
import type { AnyStateMachine } from 'xstate';
import { initialTransition, transition } from 'xstate';
import { createBlockMachine } from '../../../machines/block.machine';
import { opLabel } from '../../../machines/block.plan';
import { refusalsOf } from '../../../machines/outcome';
import { rangeMachine } from '../../../machines/range.machine';
import { folioMachine } from '../../../machines/folio.machine';
import { machineModel } from '../draw/machine-model';
import type { SimConfig } from '../../interpreter/config';
import { configOf } from '../../trace/replay';
import type { Trace, TraceStep } from '../../trace/schema';
import { simConfig, traceStepFor, WALK_PAGE } from '../../walk/block-walk';
import type { WalkPath } from '../../walk/block-walk';
import { USE_CASES, useCasePaths, useCaseSettings } from '../../walk/usecases';
import type { ViewModels, ViewStep } from './trace-view';
import { viewSteps } from './trace-view';

export interface ViewerPath {
  label: string;
  config: SimConfig;
  steps: TraceStep[];
  /** per step, the block operation it stands for (use cases), shown before the trace step. */
  labels?: Array<string | undefined>;
  /** the invariants the trace's `expectViolation` names. */
  declared?: ReadonlySet<string>;
}

export interface ViewerSource {
  id: string;
  kind: 'use-case' | 'trace';
  title: string;
  /** the trace's own `description`. */
  description?: string;
  /** the trace's own `name`, by which a link may name it. */
  name?: string;
  /** a use case has every generated path; a trace has one. */
  paths: () => ViewerPath[];
}

export const VIEW_MODELS: ViewModels = {
  range: machineModel('range', rangeMachine as unknown as AnyStateMachine),
  folio: machineModel('folio', folioMachine as unknown as AnyStateMachine),
  block: machineModel('block', createBlockMachine(1) as unknown as AnyStateMachine),
};

/** A walk path as trace steps, each expecting what the block machine does. */
export function pathSteps(path: WalkPath): TraceStep[] {
  const { setting } = path;
  const machine = createBlockMachine(setting.pages) as unknown as AnyStateMachine;
  let snapshot = initialTransition(machine, setting.input)[0];
  const flags: Array<'mmap' | 'hugetlb' | 'init-shared'> = ['mmap', 'hugetlb', ...(setting.input.initial === 'shared' ? (['init-shared'] as const) : [])];
  const steps: TraceStep[] = [{ op: 'create', size: WALK_PAGE * setting.pages, flags, expect: 'ok' }];
  for (const op of path.ops) {
    const [next, actions] = transition(machine, snapshot, op as never);
    snapshot = next;
    steps.push(traceStepFor(op, setting.pages, refusalsOf(actions)[0]));
  }
  return steps;
}

export function useCaseSources(): ViewerSource[] {
  return USE_CASES.map((u) => ({
    id: u.name,
    kind: 'use-case' as const,
    title: `${u.name}: ${u.deck}`,
    paths: () =>
      useCaseSettings(u).flatMap((setting) =>
        useCasePaths(u, setting).map((p) => ({
          label: `${setting.variant}, ${setting.vmType}: ${p.ops.map(opLabel).join(' → ')}`,
          config: simConfig(setting),
          steps: pathSteps(p),
          labels: [undefined, ...p.ops.map(opLabel)],
        })),
      ),
  }));
}

/**
 * The most pages a viewed file may have: every step keeps the page states before it (a byte a
 * page), so 16M pages (64 GiB of 4 KiB pages) cost 32 MiB; beyond that the viewer refuses.
 */
export const VIEW_MAX_PAGES = 1 << 24;

/** Why a trace is too large to view, or undefined. */
export function tooLargeToView(trace: Trace): string | undefined {
  const { pageSize } = configOf(trace);
  const largest = Math.max(0, ...trace.steps.map((s) => (s.op === 'create' ? s.size : 0)));
  const pages = Math.ceil(largest / pageSize);
  return pages > VIEW_MAX_PAGES ? `its file has ${pages.toLocaleString('en')} pages; the viewer draws at most ${VIEW_MAX_PAGES.toLocaleString('en')} (64 GiB of 4 KiB pages)` : undefined;
}

/** A trace to step through; served, it is known by its file (`trace:FILE`), exported by its name. */
export function traceSource(trace: Trace, file: string, id = `trace:${file}`): ViewerSource {
  const declared = new Set(trace.expectViolation === undefined ? [] : [trace.expectViolation].flat());
  return {
    id,
    kind: 'trace',
    title: `trace ${trace.name} (${file})`,
    name: trace.name,
    ...(trace.description ? { description: trace.description } : {}),
    paths: () => [{ label: trace.name, config: configOf(trace), steps: trace.steps, declared }],
  };
}

export function stepsOf(path: ViewerPath): ViewStep[] {
  return viewSteps(path.config, path.steps, VIEW_MODELS, path.labels, path.declared);
}
