/**
 * `gmem tables`: every machine's states and its complete state x event table.
 * Range and folio tables are the data tables the tests hold the machines to
 * (policy-dependent cells name their conditions); the block table is computed
 * from the block machine over its reachable states.
 */
import type { Command } from '../command';
import type { MachineName } from '../../present/spec/machine-tables';
import { TABLE_BUILDERS, TABLE_MACHINES } from '../../present/spec/machine-tables';
import { renderTables } from '../../present/spec/machine-tables-text';
import { InputError } from '../../input-error';
import { EXIT_OK } from '../exit-codes';
import { fitColumns } from '../../present/report/fit-width';

export const tablesCommand: Command = {
  name: 'tables',
  summary: 'print each machine\'s states and its complete state x event table',
  usage: 'Usage: gmem tables [--machine range|folio|block] [--json]',
  options: { machine: { type: 'string' }, json: { type: 'boolean' } },
  optionValues: { machine: 'NAME' },
  optionHelp: { machine: 'range, folio or block (default: all three)', json: 'print the tables as JSON' },
  examples: ['gmem tables --machine folio'],
  allowPositionals: false,
  run(values) {
    const requested = values['machine'] as string | undefined;
    if (requested !== undefined && !TABLE_MACHINES.includes(requested as MachineName)) {
      throw new InputError(`tables: --machine must be one of ${TABLE_MACHINES.join(', ')}, got '${requested}'`);
    }
    const names = requested ? [requested as MachineName] : [...TABLE_MACHINES];
    const tables = names.map((n) => TABLE_BUILDERS[n]());
    process.stdout.write(values['json'] ? `${JSON.stringify(tables, null, 2)}\n` : `${fitColumns(tables.map(renderTables).join('\n\n'))}\n`);
    return EXIT_OK;
  },
};
