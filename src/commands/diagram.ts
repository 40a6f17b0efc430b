/**
 * `gmem diagram MACHINE --format mermaid|dot|svg [-o FILE]`: a machine drawn
 * from its definition. Mermaid leaves refusals out to stay readable; DOT and
 * SVG label them. SVG is rendered by @viz-js/viz, without a browser.
 */
import type { AnyStateMachine } from 'xstate';
import { createBlockMachine } from '../../machines/block.machine';
import { folioMachine } from '../../machines/folio.machine';
import { rangeMachine } from '../../machines/range.machine';
import { toDot, toSvg } from '../../visualize/dot';
import { toMermaid } from '../../visualize/mermaid';
import type { Command } from '../cli';
import { checkOutputPath, writeOutputFile } from '../cli/output-file';
import { EXIT_OK, UsageError } from '../usage-error';

export const DIAGRAM_MACHINES: Record<string, () => AnyStateMachine> = {
  range: () => rangeMachine as unknown as AnyStateMachine,
  folio: () => folioMachine as unknown as AnyStateMachine,
  block: () => createBlockMachine(2) as unknown as AnyStateMachine,
};
const FORMATS = ['mermaid', 'dot', 'svg'] as const;

export async function drawMachine(name: string, format: (typeof FORMATS)[number]): Promise<string> {
  const machine = DIAGRAM_MACHINES[name]!();
  if (format === 'mermaid') return toMermaid(machine);
  // The block's refusals are its regions' (drawn in the range and folio diagrams); its own are few.
  const dot = toDot(machine, { refusals: name !== 'block' });
  return format === 'dot' ? dot : toSvg(dot);
}

export const diagramCommand: Command = {
  name: 'diagram',
  summary: 'draw a machine as Mermaid, Graphviz DOT or SVG',
  usage: 'Usage: gmem diagram range|folio|block --format mermaid|dot|svg [-o FILE]',
  options: { format: { type: 'string' }, o: { type: 'string' }, output: { type: 'string' } },
  optionHelp: { format: 'mermaid (default), dot or svg', o: 'write to FILE instead of standard output', output: 'the same as -o' },
  examples: ['gmem diagram folio --format svg -o folio.svg'],
  allowPositionals: true,
  async run(values, positionals) {
    const [name, ...extra] = positionals;
    if (!name || !(name in DIAGRAM_MACHINES)) throw new UsageError(`diagram: name a machine (${Object.keys(DIAGRAM_MACHINES).join(', ')})${name ? `, got '${name}'` : ''}`);
    if (extra.length) throw new UsageError(`diagram: one machine at a time, got also '${extra.join(' ')}'`);
    const format = (values['format'] as string | undefined) ?? 'mermaid';
    if (!FORMATS.includes(format as never)) throw new UsageError(`diagram: --format must be one of ${FORMATS.join(', ')}, got '${format}'`);
    const out = (values['o'] ?? values['output']) as string | undefined;
    if (out) checkOutputPath(out, 'diagram: -o');
    const text = await drawMachine(name, format as (typeof FORMATS)[number]);
    if (out) writeOutputFile(out, text.endsWith('\n') ? text : `${text}\n`, 'diagram: -o');
    else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return EXIT_OK;
  },
};
