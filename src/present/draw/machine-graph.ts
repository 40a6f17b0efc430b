/**
 * A machine's definition as a drawable graph: the state tree and the edges,
 * each labelled with its events and guards, refusals optionally as
 * self-loops naming the errno. Mermaid and DOT are drawn from this, so every
 * format shows the same machine.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

export interface GraphOptions {
  /** also draw refusals as self-loops labelled with the errno. */
  refusals?: boolean;
}

export interface Edge {
  from: AnyStateNode;
  to: AnyStateNode;
  labels: string[];
}

export const idOf = (node: AnyStateNode) => node.path.join('_') || 'root';

export function guardName(guard: unknown): string | undefined {
  if (guard === undefined) return undefined;
  // forPage only routes an event to its page region inside the block; it is not a kernel condition.
  if (typeof guard === 'string') return guard === 'forPage' ? undefined : guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) {
    const name = String((guard as { type: string }).type);
    return name === 'forPage' ? undefined : name;
  }
  if (typeof guard === 'function') {
    const inner = (guard as { guards?: unknown[] }).guards;
    if (Array.isArray(inner)) return inner.map(guardName).filter((g) => g !== undefined).join(' & ') || undefined;
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

export function* allNodes(node: AnyStateNode): Generator<AnyStateNode> {
  yield node;
  for (const child of Object.values(node.states) as AnyStateNode[]) yield* allNodes(child);
}

export const isLeaf = (node: AnyStateNode) => Object.keys(node.states).length === 0;

export type TransitionLike = { target?: ReadonlyArray<AnyStateNode>; guard?: unknown; actions?: ReadonlyArray<unknown>; description?: string };

/** A node's transitions (its events' and its eventless ones), each with its guard's name and its label as the diagrams print it: `EVENT [guard]`. */
export function labelledTransitions(node: AnyStateNode): Array<{ event: string; t: TransitionLike; guard: string | undefined; label: string }> {
  const all: Array<[string, TransitionLike]> = [
    ...[...node.transitions].flatMap(([event, ts]) => (ts as TransitionLike[]).map((t): [string, TransitionLike] => [event, t])),
    ...((node.always ?? []) as TransitionLike[]).map((t): [string, TransitionLike] => ['always', t]),
  ];
  return all.map(([event, t]) => {
    const guard = guardName(t.guard);
    return { event, t, guard, label: guard ? (event === 'always' ? `[${guard}]` : `${event} [${guard}]`) : event };
  });
}

/** Edges `from -> to` with every label that takes that path, in definition order. */
export function edgesOf(machine: AnyStateMachine, options: GraphOptions = {}): Edge[] {
  const edges = new Map<string, Edge>();
  const add = (from: AnyStateNode, to: AnyStateNode, label: string) => {
    const key = `${from.id} -> ${to.id}`;
    const edge = edges.get(key) ?? { from, to, labels: [] };
    if (!edge.labels.includes(label)) edge.labels.push(label);
    edges.set(key, edge);
  };
  for (const node of allNodes(machine.root)) {
    for (const { t, label } of labelledTransitions(node)) {
      if (t.target && t.target.length > 0) {
        for (const target of t.target) add(node, target, label);
      } else if (options.refusals) {
        const errno = refusalOf(t.actions ?? []);
        if (errno) add(node, node, `${label} / ${errno}`);
      }
    }
  }
  return [...edges.values()];
}
