/**
 * `gmem tables`: every machine's states and its complete state x event table.
 * Range and folio tables are the data tables the tests hold the machines to
 * (policy-dependent cells name their conditions); the block table is computed
 * from the block machine over its reachable states.
 */
import type { AnyStateMachine } from 'xstate';
import { transition } from 'xstate';
import { blockViewOf, createBlockMachine } from '../../machines/block.machine';
import { blockOpVariants, opLabel } from '../../machines/block.plan';
import { drawBlock } from '../../machines/block.picture';
import { reachableBlockPaths } from '../../machines/block.reachable';
import { folioMachine, FOLIO_FILE_STATES, FOLIO_WRAPPER_STATES } from '../../machines/folio.machine';
import { FOLIO_FILE_EVENT_VARIANTS, FOLIO_FILE_TABLE, FOLIO_WRAPPER_EVENT_VARIANTS, FOLIO_WRAPPER_TABLE } from '../../machines/folio.table';
import { formatRefusal, refusalsOf } from '../../machines/outcome';
import type { Expected, EventVariant } from '../../machines/outcome-table';
import { rangeMachine, RANGE_STATES } from '../../machines/range.machine';
import { RANGE_EVENT_VARIANTS, RANGE_TABLE } from '../../machines/range.table';
import type { Command } from '../cli';
import { EXIT_OK, UsageError } from '../usage-error';

const MACHINES = ['range', 'folio', 'block'] as const;
type MachineName = (typeof MACHINES)[number];

export interface StateRow {
  state: string;
  description: string;
}
export interface TableRow {
  state: string;
  outcomes: Array<{ event: string; outcome: Expected }>;
}
export interface MachineTables {
  machine: MachineName;
  description: string;
  states: StateRow[];
  tables: Array<{ title: string; rows: TableRow[] }>;
}

function describeState(machine: AnyStateMachine, id: string): string {
  return machine.getStateNodeById(id).description ?? '';
}

function dataTable(states: readonly string[], variants: ReadonlyArray<EventVariant>, table: Record<string, Record<string, Expected>>): TableRow[] {
  return states.map((state) => ({
    state,
    outcomes: variants.map((v) => ({ event: v.label, outcome: table[state]![v.label]! })),
  }));
}

export function rangeTables(): MachineTables {
  const m = rangeMachine as unknown as AnyStateMachine;
  return {
    machine: 'range',
    description: m.root.description ?? '',
    states: RANGE_STATES.map((s) => ({ state: s, description: describeState(m, `range.${s}`) })),
    tables: [{ title: 'state x event', rows: dataTable(RANGE_STATES, RANGE_EVENT_VARIANTS, RANGE_TABLE) }],
  };
}

export function folioTables(): MachineTables {
  const m = folioMachine as unknown as AnyStateMachine;
  return {
    machine: 'folio',
    description: m.root.description ?? '',
    states: [
      ...FOLIO_FILE_STATES.map((s) => ({ state: `file.${s}`, description: describeState(m, `folio.file.${s}`) })),
      ...FOLIO_WRAPPER_STATES.map((s) => ({ state: `wrapper.${s}`, description: describeState(m, `folio.wrapper.${s}`) })),
    ],
    tables: [
      { title: 'file region: state x event (→ none + handoff: the wrapper takes the block)', rows: dataTable(FOLIO_FILE_STATES, FOLIO_FILE_EVENT_VARIANTS, FOLIO_FILE_TABLE) },
      { title: 'wrapper region: state x event', rows: dataTable(FOLIO_WRAPPER_STATES, FOLIO_WRAPPER_EVENT_VARIANTS, FOLIO_WRAPPER_TABLE) },
    ],
  };
}

export function blockTables(pages = 2): MachineTables {
  const machine = createBlockMachine(pages);
  const ops = blockOpVariants(pages);
  const rows: TableRow[] = reachableBlockPaths(pages, {}).map(({ state }) => {
    const before = drawBlock(blockViewOf(state as never));
    return {
      state: before,
      outcomes: ops.map((op) => {
        const [next, actions] = transition(machine, state as never, op as never);
        const refusals = refusalsOf(actions);
        const after = drawBlock(blockViewOf(next as never));
        const outcome = refusals.length ? refusals.map(formatRefusal).join(',') : after === before ? '=' : `→ ${after}`;
        return { event: opLabel(op), outcome };
      }),
    };
  });
  return {
    machine: 'block',
    description: `${(machine as unknown as AnyStateMachine).root.description ?? ''} Shown for ${pages} pages, default policies, every reachable state (pins bounded to one per page).`,
    states: [
      { state: '|SSPP|', description: 'page shareability: S shared, P private; lower case while unallocated' },
      { state: '[HHHH] [ssss] [....] [iiii]', description: 'huge folio, split folio, no folio, split block held by a closed inode' },
    ],
    tables: [{ title: `reachable state x operation (${rows.length} states)`, rows }],
  };
}

export function formatOutcome(outcome: Expected): string {
  if (typeof outcome === 'string') return outcome;
  return Object.entries(outcome).map(([cond, text]) => `${cond}: ${text}`).join('; ');
}

export function renderTables(t: MachineTables): string {
  const lines = [`== ${t.machine} machine ==`, t.description, '', `States (${t.states.length}):`];
  const w = Math.max(...t.states.map((s) => s.state.length));
  for (const s of t.states) lines.push(`  ${s.state.padEnd(w)}  ${s.description}`);
  for (const table of t.tables) {
    lines.push('', `Table, ${table.title}. "=" accepted, unchanged; an errno: refused; "→" the next state.`);
    for (const row of table.rows) {
      lines.push(`  ${row.state}`);
      const ew = Math.max(...row.outcomes.map((o) => o.event.length));
      for (const o of row.outcomes) lines.push(`      ${o.event.padEnd(ew)}  ${formatOutcome(o.outcome)}`);
    }
  }
  return lines.join('\n');
}

const BUILDERS: Record<MachineName, () => MachineTables> = { range: rangeTables, folio: folioTables, block: () => blockTables(2) };

export const tablesCommand: Command = {
  name: 'tables',
  summary: 'print each machine\'s states and its complete state x event table',
  usage: 'Usage: gmem tables [--machine range|folio|block] [--json]',
  options: { machine: { type: 'string' }, json: { type: 'boolean' } },
  optionHelp: { machine: 'range, folio or block (default: all three)', json: 'print the tables as JSON' },
  examples: ['gmem tables --machine folio'],
  allowPositionals: false,
  run(values) {
    const requested = values['machine'] as string | undefined;
    if (requested !== undefined && !MACHINES.includes(requested as MachineName)) {
      throw new UsageError(`tables: --machine must be one of ${MACHINES.join(', ')}, got '${requested}'`);
    }
    const names = requested ? [requested as MachineName] : [...MACHINES];
    const tables = names.map((n) => BUILDERS[n]());
    process.stdout.write(values['json'] ? `${JSON.stringify(tables, null, 2)}\n` : `${tables.map(renderTables).join('\n\n')}\n`);
    return EXIT_OK;
  },
};
