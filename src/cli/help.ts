/**
 * Help text the way git and kselftest tools print it: the usage line and what
 * the command does, then every option with its value and default, then an
 * example. Built from the command's own option table, so an option cannot be
 * added without showing up here (a test checks every command's help).
 */
import type { Command } from './command';
import { fitWidth } from '../present/report/fit-width';

export const WIDTH = 100;

/** Options whose value is a count (of ports' numbers, seconds, milliseconds, threads, the explorer's scope): `N` in help. */
const COUNTS = new Set(['port', 'delay', 'wait', 'workers', 'blocks', 'pages', 'processes', 'pins', 'values', 'depth', 'pool']);

/** `--name VALUE` or `-o FILE` as it is typed. */
function flag(name: string, type: 'string' | 'boolean', short?: string, valueName?: string): string {
  if (valueName) return `${short ? `-${short}, ` : ''}--${name} ${valueName}`;
  if (name === 'seeded-bug') return '--seeded-bug NAME';
  if (name === 'only') return '--only PATTERN';
  if (name === 'shard') return '--shard i/n';
  if (name === 'use-case') return '--use-case NAME';
  if (name === 'reporter') return '--reporter NAME';
  const dashes = name.length === 1 ? `-${name}` : `--${name}`;
  const value = type === 'string' ? ` ${/^(o|output|record|replay|trace|traces|result)$/.test(name) ? (name === 'traces' ? 'DIR' : 'FILE') : COUNTS.has(name) ? 'N' : 'VALUE'}` : '';
  return `${short ? `-${short}, ` : ''}${dashes}${value}`;
}

/** Wraps `text` to `width` columns, continuation lines indented by `indent`. */
export function wrap(text: string, indent: number, width = WIDTH): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

export function commandHelp(command: Command): string {
  const rows = Object.entries(command.options).map(([name, o]) => ({
    flag: flag(name, o.type, o.short, command.optionValues?.[name]),
    text: command.optionHelp?.[name] ?? '',
  }));
  rows.push({ flag: '-h, --help', text: 'show this help' });
  const w = Math.min(28, Math.max(...rows.map((r) => r.flag.length)));
  const out = [command.usage, '', 'Options:'];
  for (const r of rows) {
    const head = `  ${r.flag.padEnd(w)}  `;
    out.push(r.flag.length > w ? `  ${r.flag}\n${' '.repeat(w + 4)}${wrap(r.text, w + 4)}` : `${head}${wrap(r.text, head.length)}`);
  }
  if (command.helpExtra) out.push('', command.helpExtra());
  const examples = command.examples ?? [];
  if (examples.length) out.push('', examples.length > 1 ? 'Examples:' : 'Example:', ...examples.map((e) => `  ${e}`));
  return fitWidth(out.join('\n'));
}

