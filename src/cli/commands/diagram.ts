/**
 * `gmem diagram MACHINE --format svg|json|mermaid|dot [-o FILE]`: a machine
 * drawn from its definition. SVG is laid out by ELK (src/present/draw/elk-layout.ts)
 * and drawn by the project, without a browser, with every refusal listed in
 * its state and every element's description and citations as a tooltip.
 * JSON is the machine as data (states, transitions, descriptions, citations).
 * Mermaid (refusals left out to stay readable) and DOT (Graphviz) are export
 * formats.
 */
import type { AnyStateMachine } from 'xstate';
import { createBlockMachine } from '../../../machines/block.machine';
import { folioMachine } from '../../../machines/folio.machine';
import { rangeMachine } from '../../../machines/range.machine';
import { toDot } from '../../present/draw/dot';
import { layoutMachine } from '../../present/draw/elk-layout';
import type { MachineModel } from '../../present/draw/machine-model';
import { machineModel } from '../../present/draw/machine-model';
import { toMermaid } from '../../present/draw/mermaid';
import { layoutToSvg } from '../../present/draw/svg';
import type { Command } from '../command';
import { checkOutputPath, writeOutputFile } from '../output-file';
import { InputError } from '../../input-error';
import { EXIT_OK } from '../exit-codes';

export const DIAGRAM_MACHINES: Record<string, () => AnyStateMachine> = {
  range: () => rangeMachine as unknown as AnyStateMachine,
  folio: () => folioMachine as unknown as AnyStateMachine,
  block: () => createBlockMachine(2) as unknown as AnyStateMachine,
};
const FORMATS = ['mermaid', 'dot', 'svg', 'json'] as const;

/** The machine as data; the block's page regions are drawn once (`pK`, badge `× N`). */
export function diagramModel(name: string): MachineModel {
  const machine = DIAGRAM_MACHINES[name]!();
  const pages = name === 'block' ? Object.keys(machine.root.states['pages']!.states).length : 0;
  return machineModel(name, machine, pages ? { collapse: { parent: 'pages', count: pages } } : {});
}

export async function drawMachine(name: string, format: (typeof FORMATS)[number]): Promise<string> {
  const machine = DIAGRAM_MACHINES[name]!();
  if (format === 'mermaid') return toMermaid(machine);
  if (format === 'json') return JSON.stringify(diagramModel(name), null, 2);
  if (format === 'svg') return layoutToSvg(await layoutMachine(diagramModel(name)));
  // The block's refusals are its regions' (drawn in the range and folio diagrams); its own are few.
  return toDot(machine, { refusals: name !== 'block' });
}

export const diagramCommand: Command = {
  name: 'diagram',
  summary: 'draw a machine as SVG (laid out by ELK), JSON, Mermaid or Graphviz DOT',
  usage:
    'Usage: gmem diagram range|folio|block --format svg|json|mermaid|dot [-o FILE]\n\n' +
    'svg: laid out by ELK, refusals listed in their state, descriptions and citations as tooltips.\n' +
    'json: the machine as data (states, transitions, descriptions, citations). mermaid, dot: exports.',
  options: { format: { type: 'string' }, o: { type: 'string' }, output: { type: 'string' } },
  optionHelp: { format: 'mermaid (default), dot or svg', o: 'write to FILE instead of standard output', output: 'the same as -o' },
  examples: ['gmem diagram folio --format svg -o folio.svg'],
  allowPositionals: true,
  async run(values, positionals) {
    const [name, ...extra] = positionals;
    if (!name || !(name in DIAGRAM_MACHINES)) throw new InputError(`diagram: name a machine (${Object.keys(DIAGRAM_MACHINES).join(', ')})${name ? `, got '${name}'` : ''}`);
    if (extra.length) throw new InputError(`diagram: one machine at a time, got also '${extra.join(' ')}'`);
    const format = (values['format'] as string | undefined) ?? 'mermaid';
    if (!FORMATS.includes(format as never)) throw new InputError(`diagram: --format must be one of ${FORMATS.join(', ')}, got '${format}'`);
    const out = (values['o'] ?? values['output']) as string | undefined;
    if (out) checkOutputPath(out, 'diagram: -o');
    const text = await drawMachine(name, format as (typeof FORMATS)[number]);
    if (out) writeOutputFile(out, text.endsWith('\n') ? text : `${text}\n`, 'diagram: -o');
    else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return EXIT_OK;
  },
};
