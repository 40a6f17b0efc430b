/**
 * The three machines as `gmem diagram`, the specification and the viewer
 * draw them: SVG laid out by ELK (elk-layout.ts) and drawn by the project,
 * JSON (the machine as data), Mermaid and Graphviz DOT.
 */
import type { AnyStateMachine } from 'xstate';
import { createBlockMachine } from '../../../machines/block.machine';
import { folioMachine } from '../../../machines/folio.machine';
import { rangeMachine } from '../../../machines/range.machine';
import { toDot } from './dot';
import { layoutMachine } from './elk-layout';
import type { MachineModel } from './machine-model';
import { machineModel } from './machine-model';
import { toMermaid } from './mermaid';
import { layoutToSvg } from './svg';

export const DIAGRAM_MACHINES: Record<string, () => AnyStateMachine> = {
  range: () => rangeMachine as unknown as AnyStateMachine,
  folio: () => folioMachine as unknown as AnyStateMachine,
  block: () => createBlockMachine(2) as unknown as AnyStateMachine,
};
export const DIAGRAM_FORMATS = ['mermaid', 'dot', 'svg', 'json'] as const;
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];

/** The machine as data; the block's page regions are drawn once (`pK`, badge `× N`). */
export function diagramModel(name: string): MachineModel {
  const machine = DIAGRAM_MACHINES[name]!();
  const pages = name === 'block' ? Object.keys(machine.root.states['pages']!.states).length : 0;
  return machineModel(name, machine, pages ? { collapse: { parent: 'pages', count: pages } } : {});
}

export async function drawMachine(name: string, format: DiagramFormat): Promise<string> {
  const machine = DIAGRAM_MACHINES[name]!();
  if (format === 'mermaid') return toMermaid(machine);
  if (format === 'json') return JSON.stringify(diagramModel(name), null, 2);
  if (format === 'svg') return layoutToSvg(await layoutMachine(diagramModel(name)));
  // The block's refusals are its regions' (drawn in the range and folio diagrams); its own are few.
  return toDot(machine, { refusals: name !== 'block' });
}
