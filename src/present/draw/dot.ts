/**
 * Graphviz DOT drawn from a machine's definition: leaf states are nodes,
 * compound states clusters (parallel regions dashed, with a point for each
 * initial state), edges labelled with events and guards, refusals as red
 * self-loops naming the errno. An export format: gmem's own SVG is laid out by
 * ELK (src/present/draw/elk-layout.ts), because Graphviz clusters cannot lay out
 * compound statecharts whose edges cross region borders.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import type { GraphOptions } from './machine-graph';
import { edgesOf, idOf, isLeaf } from './machine-graph';

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The leaf a transition into a compound state lands on (its initial chain). */
function landing(node: AnyStateNode): AnyStateNode {
  let n = node;
  while (!isLeaf(n)) {
    const next = n.initial?.target[0] as AnyStateNode | undefined;
    n = next ?? (Object.values(n.states)[0] as AnyStateNode);
  }
  return n;
}

export function toDot(machine: AnyStateMachine, options: GraphOptions = { refusals: true }): string {
  const lines = [
    `digraph ${quote(machine.id)} {`,
    // Graphviz cannot route splines between the clusters of a parallel chart; curved edges it can.
    `  rankdir=LR; compound=true;${machine.root.type === 'parallel' ? ' splines=curved;' : ''} fontname="Helvetica";`,
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=8];',
  ];
  const structure = (node: AnyStateNode, indent: string) => {
    if (node.initial && node.initial.target.length > 0) {
      lines.push(`${indent}${quote(`__initial_${idOf(node)}`)} [shape=point, width=0.1, label=""];`);
    }
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      if (isLeaf(child)) {
        lines.push(`${indent}${quote(idOf(child))} [label=${quote(child.key)}];`);
        continue;
      }
      lines.push(`${indent}subgraph ${quote(`cluster_${idOf(child)}`)} {`);
      lines.push(`${indent}  label=${quote(child.type === 'parallel' ? `${child.key} (parallel)` : child.key)};${child.type === 'parallel' ? ' style=dashed;' : ' style=rounded;'}`);
      structure(child, indent + '  ');
      lines.push(`${indent}}`);
    }
  };
  if (machine.root.type === 'parallel') {
    // A parallel root is drawn as a dashed cluster too, so its regions read as concurrent.
    lines.push(`  subgraph ${quote(`cluster_${idOf(machine.root)}`)} {`, `    label=${quote(`${machine.id} (parallel)`)}; style=dashed;`);
    structure(machine.root, '    ');
    lines.push('  }');
  } else {
    structure(machine.root, '  ');
  }
  for (const node of [machine.root, ...allCompound(machine.root)]) {
    if (node.initial && node.initial.target.length > 0) {
      const target = node.initial.target[0] as AnyStateNode;
      const head = isLeaf(target) ? '' : `, lhead=${quote(`cluster_${idOf(target)}`)}`;
      lines.push(`  ${quote(`__initial_${idOf(node)}`)} -> ${quote(idOf(landing(target)))} [arrowsize=0.5${head}];`);
    }
  }
  for (const edge of edgesOf(machine, options)) {
    const from = landing(edge.from);
    const to = landing(edge.to);
    const attrs = [`label=${quote(edge.labels.join('\n'))}`];
    if (!isLeaf(edge.from)) attrs.push(`ltail=${quote(`cluster_${idOf(edge.from)}`)}`);
    if (!isLeaf(edge.to)) attrs.push(`lhead=${quote(`cluster_${idOf(edge.to)}`)}`);
    if (edge.from === edge.to && edge.labels.every((l) => l.includes(' / '))) attrs.push('color=firebrick', 'fontcolor=firebrick');
    lines.push(`  ${quote(idOf(from))} -> ${quote(idOf(to))} [${attrs.join(', ')}];`);
  }
  lines.push('}');
  return lines.join('\n');
}

function allCompound(node: AnyStateNode): AnyStateNode[] {
  const out: AnyStateNode[] = [];
  for (const child of Object.values(node.states) as AnyStateNode[]) {
    if (!isLeaf(child)) out.push(child, ...allCompound(child));
  }
  return out;
}
