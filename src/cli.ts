/**
 * `gmem COMMAND [options]`: the project's command line. Each command lives in
 * src/commands/; this file only dispatches and turns bad input into a clear
 * message and exit status 2.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { coverageCommand } from './commands/coverage';
import { diagramCommand } from './commands/diagram';
import { inspectCommand } from './commands/inspect';
import { replayCommand } from './commands/replay';
import { specCommand } from './commands/spec';
import { tablesCommand } from './commands/tables';
import { viewCommand } from './commands/view';
import { walkCommand } from './commands/walk';
import { exploreCommand } from './commands/explore';
import { verdictsCommand } from './commands/verdicts';
import { EXIT_OK, EXIT_USAGE, UsageError } from './usage-error';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals: boolean;
  run(values: Record<string, unknown>, positionals: string[]): Promise<number> | number;
}

export const COMMANDS: ReadonlyArray<Command> = [walkCommand, coverageCommand, replayCommand, tablesCommand, diagramCommand, specCommand, inspectCommand, viewCommand, exploreCommand, verdictsCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'gmem: executable specification of guest_memfd huge-page folio support',
    '',
    'Usage: gmem COMMAND [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `gmem COMMAND --help` for a command\'s options.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  try {
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${command.usage}\n`);
      return EXIT_OK;
    }
    const { values, positionals } = parseCommandArgs(command, rest);
    return await command.run(values, positionals);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`gmem: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

function parseCommandArgs(command: Command, args: string[]) {
  try {
    return parseArgs({ args, options: command.options, allowPositionals: command.allowPositionals, strict: true });
  } catch (err) {
    // node:util reports unknown flags and missing values as TypeErrors with a code.
    const message = err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, '') : String(err);
    throw new UsageError(`${command.name}: ${message}`);
  }
}
