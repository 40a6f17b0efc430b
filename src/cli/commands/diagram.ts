/**
 * `gmem diagram MACHINE --format svg|json|mermaid|dot [-o FILE]`: a machine
 * drawn from its definition. SVG is laid out by ELK (src/present/draw/elk-layout.ts)
 * and drawn by the project, without a browser, with every refusal listed in
 * its state and every element's description and citations as a tooltip.
 * JSON is the machine as data (states, transitions, descriptions, citations).
 * Mermaid (refusals left out to stay readable) and DOT (Graphviz) are export
 * formats.
 */
import type { Command } from '../command';
import { checkOutputPath, writeOutputFile } from '../output-file';
import type { DiagramFormat } from '../../present/draw/machine-diagrams';
import { DIAGRAM_FORMATS, DIAGRAM_MACHINES, drawMachine } from '../../present/draw/machine-diagrams';
import { InputError } from '../../input-error';
import { EXIT_OK } from '../exit-codes';

export const diagramCommand: Command = {
  name: 'diagram',
  summary: 'draw a machine as SVG (laid out by ELK), JSON, Mermaid or Graphviz DOT',
  usage:
    'Usage: gmem diagram range|folio|block --format svg|json|mermaid|dot [-o FILE]\n\n' +
    'svg: laid out by ELK, refusals listed in their state, descriptions and citations as tooltips.\n' +
    'json: the machine as data (states, transitions, descriptions, citations). mermaid, dot: exports.',
  options: { format: { type: 'string' }, o: { type: 'string' }, output: { type: 'string' } },
  optionValues: { format: 'NAME' },
  optionHelp: { format: 'mermaid (default), dot or svg', o: 'write to FILE instead of standard output', output: 'the same as -o' },
  examples: ['gmem diagram folio --format svg -o folio.svg'],
  allowPositionals: true,
  async run(values, positionals) {
    const [name, ...extra] = positionals;
    if (!name || !(name in DIAGRAM_MACHINES)) throw new InputError(`diagram: name a machine (${Object.keys(DIAGRAM_MACHINES).join(', ')})${name ? `, got '${name}'` : ''}`);
    if (extra.length) throw new InputError(`diagram: one machine at a time, got also '${extra.join(' ')}'`);
    const format = (values['format'] as string | undefined) ?? 'mermaid';
    if (!DIAGRAM_FORMATS.includes(format as never)) throw new InputError(`diagram: --format must be one of ${DIAGRAM_FORMATS.join(', ')}, got '${format}'`);
    const out = (values['o'] ?? values['output']) as string | undefined;
    if (out) checkOutputPath(out, 'diagram: -o');
    const text = await drawMachine(name, format as DiagramFormat);
    if (out) writeOutputFile(out, text.endsWith('\n') ? text : `${text}\n`, 'diagram: -o');
    else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return EXIT_OK;
  },
};
