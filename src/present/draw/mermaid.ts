/**
 * Mermaid `stateDiagram-v2` drawn from a machine's definition, so a diagram
 * can never disagree with the machine. Transitions are labelled with their
 * event and guard; refusals (which keep the state) are left out unless asked
 * for, to keep the lifecycle readable.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import type { GraphOptions } from './machine-graph';
import { edgesOf, idOf } from './machine-graph';

export type MermaidOptions = GraphOptions;

export function toMermaid(machine: AnyStateMachine, options: MermaidOptions = {}): string {
  const lines = ['stateDiagram-v2'];
  const structure = (node: AnyStateNode, indent: string) => {
    const children = Object.values(node.states) as AnyStateNode[];
    if (node.initial && node.initial.target.length > 0) {
      lines.push(`${indent}[*] --> ${idOf(node.initial.target[0] as AnyStateNode)}`);
    }
    children.forEach((child, i) => {
      if (Object.keys(child.states).length > 0) {
        lines.push(`${indent}state "${child.key}" as ${idOf(child)} {`);
        structure(child, indent + '  ');
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}state "${child.key}" as ${idOf(child)}`);
      }
      // Mermaid accepts the concurrency separator only inside a composite state, not at the top level.
      if (node.type === 'parallel' && node.parent && i < children.length - 1) lines.push(`${indent}--`);
    });
  };
  structure(machine.root, '  ');
  for (const edge of edgesOf(machine, options)) lines.push(`  ${idOf(edge.from)} --> ${idOf(edge.to)}: ${edge.labels.join(', ')}`);
  return lines.join('\n');
}
