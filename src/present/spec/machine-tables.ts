/**
 * Every machine's states and its complete state x event table. Range and
 * folio tables are the data tables the tests hold the machines to
 * (policy-dependent cells name their conditions); the block table is computed
 * from the block machine over its reachable states. Each cell names the
 * transitions its outcome is chosen from.
 */
import type { AnyStateMachine } from 'xstate';
import { transition } from 'xstate';
import { blockViewOf, createBlockMachine } from '../../../machines/block.machine';
import { blockOpVariants, opLabel } from '../../../machines/block.plan';
import { drawBlock } from '../../../machines/block.picture';
import { reachableBlockPaths } from '../../../machines/block.reachable';
import { folioMachine, FOLIO_FILE_STATES, FOLIO_WRAPPER_STATES } from '../../../machines/folio.machine';
import { FOLIO_FILE_EVENT_VARIANTS, FOLIO_FILE_TABLE, FOLIO_WRAPPER_EVENT_VARIANTS, FOLIO_WRAPPER_TABLE } from '../../../machines/folio.table';
import { formatRefusal, refusalsOf } from '../../../machines/outcome';
import type { Expected, EventVariant } from '../../../machines/outcome-table';
import { rangeMachine, RANGE_STATES } from '../../../machines/range.machine';
import { RANGE_EVENT_VARIANTS, RANGE_TABLE } from '../../../machines/range.table';
import { citationsOf, machineModel } from '../draw/machine-model';
import type { ModelTransition } from '../draw/machine-model';

export const TABLE_MACHINES = ['range', 'folio', 'block'] as const;
export type MachineName = (typeof TABLE_MACHINES)[number];

export interface StateRow {
  state: string;
  description: string;
  /** the source tags, invariants and DOMAIN sections the description cites. */
  citations: string[];
}
/** A transition the machine defines for a cell's (state, event), in the order the guards are tried. */
export interface CellTransition {
  from: string;
  guard?: string;
  to?: string;
  refusal?: string;
  description: string;
  citations: string[];
}
export interface TableRow {
  state: string;
  outcomes: Array<{ event: string; outcome: Expected; transitions: CellTransition[] }>;
}
export interface MachineTables {
  machine: MachineName;
  description: string;
  states: StateRow[];
  tables: Array<{ title: string; rows: TableRow[] }>;
}

function stateRow(machine: AnyStateMachine, id: string, state: string): StateRow {
  const description = machine.getStateNodeById(id).description ?? '';
  return { state, description, citations: citationsOf(description) };
}

/** The transitions a state (or an ancestor) defines for an event type: what a cell's outcome is chosen from. */
export function cellTransitions(transitions: ReadonlyArray<ModelTransition>, statePath: string, eventType: string): CellTransition[] {
  const parts = statePath.split('.');
  const chain = parts.map((_, i) => parts.slice(0, parts.length - i).join('.'));
  return chain.flatMap((from) =>
    transitions
      .filter((t) => t.from === from && t.event === eventType)
      .map((t) => ({ from: t.from, ...(t.guard ? { guard: t.guard } : {}), ...(t.to !== undefined ? { to: t.to } : {}), ...(t.refusal ? { refusal: t.refusal } : {}), description: t.description, citations: t.citations })),
  );
}

function dataTable(states: readonly string[], variants: ReadonlyArray<EventVariant>, table: Record<string, Record<string, Expected>>, transitions: ReadonlyArray<ModelTransition>, prefix = ''): TableRow[] {
  return states.map((state) => ({
    state,
    outcomes: variants.map((v) => ({ event: v.label, outcome: table[state]![v.label]!, transitions: cellTransitions(transitions, `${prefix}${state}`, v.event.type) })),
  }));
}

export function rangeTables(): MachineTables {
  const m = rangeMachine as unknown as AnyStateMachine;
  const { transitions } = machineModel('range', m);
  return {
    machine: 'range',
    description: m.root.description ?? '',
    states: RANGE_STATES.map((s) => stateRow(m, `range.${s}`, s)),
    tables: [{ title: 'state x event', rows: dataTable(RANGE_STATES, RANGE_EVENT_VARIANTS, RANGE_TABLE, transitions) }],
  };
}

export function folioTables(): MachineTables {
  const m = folioMachine as unknown as AnyStateMachine;
  const { transitions } = machineModel('folio', m);
  return {
    machine: 'folio',
    description: m.root.description ?? '',
    states: [
      ...FOLIO_FILE_STATES.map((s) => stateRow(m, `folio.file.${s}`, `file.${s}`)),
      ...FOLIO_WRAPPER_STATES.map((s) => stateRow(m, `folio.wrapper.${s}`, `wrapper.${s}`)),
    ],
    tables: [
      { title: 'file region: state x event (→ none + handoff: the wrapper takes the block)', rows: dataTable(FOLIO_FILE_STATES, FOLIO_FILE_EVENT_VARIANTS, FOLIO_FILE_TABLE, transitions, 'file.') },
      { title: 'wrapper region: state x event', rows: dataTable(FOLIO_WRAPPER_STATES, FOLIO_WRAPPER_EVENT_VARIANTS, FOLIO_WRAPPER_TABLE, transitions, 'wrapper.') },
    ],
  };
}

/**
 * A block state's label: the kernel's block picture (machines/block.picture.ts), plus what the
 * picture leaves out but the machine distinguishes: an armed split failure and the pool's spare pages.
 */
export function blockLabel(view: ReturnType<typeof blockViewOf>, withPool = false): string {
  return [drawBlock(view), ...(view.splitArmed ? ['split-armed'] : []), ...(withPool ? [`spare ${view.available}`] : [])].join(' ');
}

/** What each part of a block label means (the legend of the block table). */
export const BLOCK_LEGEND: ReadonlyArray<{ state: string; description: string }> = [
  { state: '|SSPP|', description: 'one letter per page, its range state: S shared (faultable), P private (unfaultable); upper case allocated, lower case unallocated; t truncating (truncate.pending or truncate.ready)' },
  { state: '[HHHH] [ssss] [....] [iiii]', description: 'the folio the file holds for the block: one huge folio, split into 4K folios, none, or a split block a closed inode still holds (restore=inode-held)' },
  { state: 'pins 01', description: 'pins (GUP references) per page on the folio the file holds' },
  { state: 'retired pins 01', description: 'pins per page on sub-folios that left the file and wait in the allocator wrapper' },
  { state: 'wrapper counting / mergeable', description: 'the allocator wrapper counts freed sub-folios of a retired block, then merges it back (S-V2h)' },
  { state: 'closed', description: 'the file descriptor is closed: only unpin and settle are accepted' },
  { state: 'split-armed', description: 'a split failure was injected: the next split of a huge folio fails ENOMEM (TRACE-FORMAT inject)' },
  { state: 'spare N', description: 'free huge pages beyond the block\'s reservation, shown only where two states differ in nothing else' },
];

export function blockTables(pages = 2): MachineTables {
  const machine = createBlockMachine(pages);
  const ops = blockOpVariants(pages);
  const reachable = reachableBlockPaths(pages, {}).map(({ state }) => ({ state, view: blockViewOf(state as never) }));
  // Labels must name states uniquely; the pool's spare count is added only where it is needed.
  const counts = new Map<string, number>();
  for (const { view } of reachable) counts.set(blockLabel(view), (counts.get(blockLabel(view)) ?? 0) + 1);
  const labelOf = (view: ReturnType<typeof blockViewOf>) => blockLabel(view, counts.get(blockLabel(view))! > 1);
  const { transitions } = machineModel('block', machine as unknown as AnyStateMachine);
  const rows: TableRow[] = reachable.map(({ state, view }) => {
    const before = labelOf(view);
    return {
      state: before,
      outcomes: ops.map((op) => {
        const [next, actions] = transition(machine, state as never, op as never);
        const refusals = refusalsOf(actions);
        const nextView = blockViewOf(next as never);
        const after = counts.has(blockLabel(nextView)) ? labelOf(nextView) : blockLabel(nextView, true);
        const outcome = refusals.length ? refusals.map(formatRefusal).join(',') : after === before ? '=' : `→ ${after}`;
        return { event: opLabel(op), outcome, transitions: cellTransitions(transitions, `inode.${view.open ? 'open' : 'closed'}`, op.type) };
      }),
    };
  });
  return {
    machine: 'block',
    description: `${(machine as unknown as AnyStateMachine).root.description ?? ''} Shown for ${pages} pages, default policies, every reachable state (pins bounded to one per page).`,
    states: BLOCK_LEGEND.filter((l) => l.state !== 'spare N' || rows.some((r) => r.state.includes(' spare '))).map((l) => ({ ...l, citations: citationsOf(l.description) })),
    tables: [{ title: `reachable state x operation (${rows.length} states)`, rows }],
  };
}

export function formatOutcome(outcome: Expected): string {
  if (typeof outcome === 'string') return outcome;
  return Object.entries(outcome).map(([cond, text]) => `${cond}: ${text}`).join('; ');
}

/** A machine's tables as `gmem tables` shows them (the block at 2 pages). */
export const TABLE_BUILDERS: Record<MachineName, () => MachineTables> = { range: rangeTables, folio: folioTables, block: () => blockTables(2) };
