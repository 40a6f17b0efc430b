/**
 * What the generated walks exercised, against what there is to exercise:
 * states, (state, event) pairs including refusals, guard branches (every
 * transition definition), use cases, and invariants evaluated where they
 * apply. Each kind is covered/total with the uncovered items named.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

export interface CoverageKind {
  kind: string;
  covered: number;
  total: number;
  uncovered: string[];
}

export class Ledger {
  private readonly universe = new Map<string, Set<string>>();
  private readonly hit = new Map<string, Set<string>>();

  /** Declares items that should be covered under a kind. */
  expect(kind: string, items: Iterable<string>): void {
    const set = this.universe.get(kind) ?? new Set<string>();
    for (const item of items) set.add(item);
    this.universe.set(kind, set);
  }

  cover(kind: string, item: string): void {
    const set = this.hit.get(kind) ?? new Set<string>();
    set.add(item);
    this.hit.set(kind, set);
  }

  /** Forgets every kind whose name starts with `prefix` (a part that was not run). */
  drop(prefix: string): void {
    for (const kind of [...this.universe.keys()]) if (kind.startsWith(prefix)) this.universe.delete(kind);
  }

  merge(other: Ledger): void {
    for (const [kind, items] of other.universe) this.expect(kind, items);
    for (const [kind, items] of other.hit) for (const item of items) this.cover(kind, item);
  }

  report(): CoverageKind[] {
    return [...this.universe].map(([kind, items]) => {
      const hit = this.hit.get(kind) ?? new Set<string>();
      const uncovered = [...items].filter((i) => !hit.has(i)).sort();
      return { kind, covered: items.size - uncovered.length, total: items.size, uncovered };
    });
  }

  get complete(): boolean {
    return this.report().every((k) => k.uncovered.length === 0);
  }
}

/** A transition definition's name: `source on EVENT #i` (its index among the source's branches for that event). */
export function branchName(source: AnyStateNode, eventType: string, index: number): string {
  return `${source.id} on ${eventType} #${index}`;
}

/** Every guard branch of a machine: each transition definition of each state node. */
export function allBranches(machine: AnyStateMachine, keep: (node: AnyStateNode, eventType: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const visit = (node: AnyStateNode) => {
    for (const [eventType, transitions] of node.transitions) {
      if (keep(node, eventType)) transitions.forEach((_: unknown, i: number) => out.push(branchName(node, eventType, i)));
    }
    if (keep(node, 'always')) (node.always ?? []).forEach((_: unknown, i: number) => out.push(branchName(node, 'always', i)));
    for (const child of Object.values(node.states) as AnyStateNode[]) visit(child);
  };
  visit(machine.root);
  return out;
}

/** The branches a machine takes for an event in a state (what getTransitionData selects). */
export function branchesTaken(machine: AnyStateMachine, snapshot: unknown, event: { type: string }): string[] {
  return machine.getTransitionData(snapshot as never, event as never).map((t) => {
    const source = t.source as AnyStateNode;
    const index = (source.transitions.get(event.type) ?? []).indexOf(t as never);
    return branchName(source, event.type, index);
  });
}
