/**
 * `gmem COMMAND [options]`: the project's command line. Each command lives in
 * src/cli/commands/; this file only dispatches and turns bad input into a clear
 * message and exit status 2.
 */
import { parseArgs } from 'node:util';
import { coverageCommand } from './commands/coverage';
import { diagramCommand } from './commands/diagram';
import { inspectCommand } from './commands/inspect';
import { replayCommand } from './commands/replay';
import { selftestCommand } from './commands/selftest';
import { specCommand } from './commands/spec';
import { tablesCommand } from './commands/tables';
import { viewCommand } from './commands/view';
import { walkCommand } from './commands/walk';
import { exploreCommand } from './commands/explore';
import { verdictsCommand } from './commands/verdicts';
import { commandHelp } from './help';
import { PACKAGE_VERSION } from '../package-root';
import { fitWidth } from '../present/report/fit-width';
import { CommandFailure, InputError } from '../input-error';
import { closest } from '../trace/field-suggestion';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes';
import type { Command } from './command';
export type { Command };


export const COMMANDS: ReadonlyArray<Command> = [walkCommand, coverageCommand, replayCommand, tablesCommand, diagramCommand, specCommand, inspectCommand, viewCommand, selftestCommand, exploreCommand, verdictsCommand];

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
    'Options: --version prints the version; --help (or `gmem help COMMAND`) prints help.',
    'Run `gmem COMMAND --help` (or `gmem help COMMAND`) for a command\'s options.',
  ].join('\n');
}

/**
 * Every help text and the version, as the build stores them in
 * dist/help-index.json: bin/gmem.js answers `--help`, `--version` and
 * `CMD --help` from there without loading the commands (zod and the
 * inspector alone take longer to load than the help takes to read).
 */
export function helpIndex(): { version: string; top: string; commands: Record<string, string> } {
  return {
    version: `gmem ${PACKAGE_VERSION}\n`,
    top: `${fitWidth(help())}\n`,
    commands: Object.fromEntries(COMMANDS.map((c) => [c.name, `${commandHelp(c)}\n`])),
  };
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`gmem ${PACKAGE_VERSION}\n`);
    return EXIT_OK;
  }
  // `gmem help CMD` is `gmem CMD --help`, as in git.
  if (name === 'help' && rest.length > 0) return main([rest[0]!, '--help', ...rest.slice(1)]);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(fitWidth(help()) + '\n');
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  try {
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      const guess = closest(name, [...COMMANDS.map((c) => c.name), '--version', '--help']);
      throw new InputError(`unknown command '${name}'${guess ? `; did you mean '${guess}'?` : ` (commands: ${COMMANDS.map((c) => c.name).join(', ')})`}`);
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${commandHelp(command)}\n`);
      return EXIT_OK;
    }
    const { values, positionals } = parseCommandArgs(command, rest);
    return await command.run(values, positionals);
  } catch (err) {
    if (err instanceof InputError) {
      process.stderr.write(`gmem: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof CommandFailure) {
      process.stderr.write(`gmem: ${err.message}\n`);
      return EXIT_FAILED;
    }
    throw err;
  }
}

function parseCommandArgs(command: Command, args: string[]) {
  try {
    return parseArgs({ args, options: command.options, allowPositionals: command.allowPositionals, strict: true });
  } catch (err) {
    throw new InputError(`${command.name}: ${argumentProblem(command, err)}`);
  }
}

/**
 * node:util's parse error (a TypeError with a code) in gmem's own words: lower
 * case, and a did-you-mean for an unknown option as for a trace field.
 */
function argumentProblem(command: Command, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  switch ((err as { code?: string }).code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const flags = [...Object.keys(command.options).map((n) => (n.length === 1 ? `-${n}` : `--${n}`)), '--help'];
      const guess = closest(quoted, flags);
      return `unknown option '${quoted}'${guess ? `; did you mean '${guess}'?` : ` (options: ${flags.join(', ')})`}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(message) ? `option '${quoted}' takes no value` : `option '${quoted.split(' ')[0]}' needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}': ${command.name} takes options only`;
    default:
      return message.charAt(0).toLowerCase() + message.slice(1);
  }
}
