/**
 * Mermaid `stateDiagram-v2` drawn from a machine's definition, so a diagram
 * can never disagree with the machine. Transitions are labelled with their
 * event and guard; refusals (which keep the state) and accepted no-ops are
 * left out unless asked for, to keep the lifecycle readable.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

export interface MermaidOptions {
  /** also draw refusals as self-loops labelled with the errno. */
  refusals?: boolean;
}

const idOf = (node: AnyStateNode) => node.path.join('_') || 'root';

function guardName(guard: unknown): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String((guard as { type: string }).type);
  if (typeof guard === 'function') {
    const inner = (guard as { guards?: unknown[] }).guards;
    if (Array.isArray(inner)) return inner.map(guardName).filter((g) => g !== 'forPage').join(' & ');
  }
  return 'guard';
}

function refusalOf(actions: ReadonlyArray<unknown>): string | undefined {
  for (const a of actions) {
    if (typeof a === 'object' && a !== null && (a as { type?: string }).type === 'refuse') {
      return String((a as { params?: { errno?: string } }).params?.errno);
    }
  }
  return undefined;
}

function* allNodes(node: AnyStateNode): Generator<AnyStateNode> {
  yield node;
  for (const child of Object.values(node.states) as AnyStateNode[]) yield* allNodes(child);
}

type TransitionLike = { target?: ReadonlyArray<AnyStateNode>; guard?: unknown; actions?: ReadonlyArray<unknown> };

/** Edges `from --> to` with every label that takes that path, in definition order. */
function edgesOf(root: AnyStateNode, options: MermaidOptions): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  const add = (from: AnyStateNode, to: AnyStateNode, label: string) => {
    const key = `${idOf(from)} --> ${idOf(to)}`;
    const labels = edges.get(key) ?? [];
    if (!labels.includes(label)) labels.push(label);
    edges.set(key, labels);
  };
  for (const node of allNodes(root)) {
    const all: Array<[string, TransitionLike]> = [
      ...[...node.transitions].flatMap(([event, ts]) => (ts as TransitionLike[]).map((t): [string, TransitionLike] => [event, t])),
      ...((node.always ?? []) as TransitionLike[]).map((t): [string, TransitionLike] => ['always', t]),
    ];
    for (const [event, t] of all) {
      const guard = guardName(t.guard);
      const label = guard ? (event === 'always' ? `[${guard}]` : `${event} [${guard}]`) : event;
      if (t.target && t.target.length > 0) {
        for (const target of t.target) add(node, target, label);
      } else if (options.refusals) {
        const errno = refusalOf(t.actions ?? []);
        if (errno) add(node, node, `${label} / ${errno}`);
      }
    }
  }
  return edges;
}

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
      if (node.type === 'parallel' && i < children.length - 1) lines.push(`${indent}--`);
    });
  };
  structure(machine.root, '  ');
  for (const [edge, labels] of edgesOf(machine.root, options)) lines.push(`  ${edge}: ${labels.join(', ')}`);
  return lines.join('\n');
}
