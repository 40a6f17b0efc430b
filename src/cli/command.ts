/**
 * What a gmem command is to the dispatcher (main.ts) and to help (help.ts):
 * its name, options and help texts, and the function that runs it. Each
 * file of commands/ exports one.
 */
import type { ParseArgsConfig } from 'node:util';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals: boolean;
  /** per option (the key as in `options`): what it does, with its default. */
  optionHelp?: Record<string, string>;
  /** per option taking a value: the value's name in help (`-o DIR`), when the default guess is wrong. */
  optionValues?: Record<string, string>;
  /** typed as a person would, without the leading `npx`. */
  examples?: string[];
  /** more help after the options (lists of names the command accepts). */
  helpExtra?: () => string;
  run(values: Record<string, unknown>, positionals: string[]): Promise<number> | number;
}
