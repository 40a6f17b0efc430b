/**
 * A machine's definition as data: its state tree and every transition, each
 * with its description and the sources that description cites. The ELK
 * diagram, `gmem diagram --format json`, `gmem spec` and the viewer all read
 * a machine through this, so a citation shown anywhere is the one in the
 * machine. Transitions that keep the state without a refusal ("accepted,
 * nothing changes") are kept here but not drawn.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { allNodes, labelledTransitions } from './machine-graph';

/** Source tags (S-V2c), invariants, DOMAIN sections, the deck and the replay contract a text cites (`S-EPT` is TDX's Secure EPT, not a tag). */
const CITATION = /\b(S-(?!EPT\b)[A-Za-z0-9]+|INV-\d+|DOMAIN \d+|TRACE-FORMAT|[Dd]eck)\b/g;

export function citationsOf(text: string | undefined): string[] {
  const out: string[] = [];
  for (const m of (text ?? '').matchAll(CITATION)) {
    const c = m[1]!.toLowerCase() === 'deck' ? 'deck' : m[1]!;
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

export interface ModelState {
  /** dotted path from the root ('' for the root itself). */
  path: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  description: string;
  citations: string[];
  /** the initial child's path, for compound states. */
  initial?: string;
  children: string[];
  /** drawn once for N identical regions (the block's pages). */
  repeat?: number;
}

export interface ModelTransition {
  from: string;
  /** absent: the state is kept (a refusal, or accepted with nothing to do). */
  to?: string;
  event: string;
  guard?: string;
  /** the errno the transition refuses with. */
  refusal?: string;
  /** `EVENT [guard]`, as the diagrams print it. */
  label: string;
  description: string;
  citations: string[];
}

export interface MachineModel {
  machine: string;
  description: string;
  states: ModelState[];
  transitions: ModelTransition[];
}

export interface ModelOptions {
  /**
   * Keep only the first of a parallel state's identically shaped regions whose
   * keys match this pattern, marked `repeat: N` (the block's `pages.pK`).
   */
  collapse?: { parent: string; count: number };
}


const pathOf = (node: AnyStateNode) => node.path.join('.');

function refusalOf(actions: ReadonlyArray<unknown>): string | undefined {
  for (const a of actions) {
    if (typeof a === 'object' && a !== null && (a as { type?: string }).type === 'refuse') {
      const params = (a as { params?: { errno?: string; exit?: string } }).params;
      return params?.exit ? `${params.errno} (${params.exit})` : String(params?.errno);
    }
  }
  return undefined;
}

export function machineModel(name: string, machine: AnyStateMachine, options: ModelOptions = {}): MachineModel {
  const { collapse } = options;
  // With a collapsed parent, regions after the first are left out entirely.
  const skipped = (node: AnyStateNode): boolean => {
    if (!collapse) return false;
    for (let n: AnyStateNode | undefined = node; n?.parent; n = n.parent) {
      if (pathOf(n.parent) === collapse.parent && Object.values(n.parent.states)[0] !== n) return true;
    }
    return false;
  };
  const states: ModelState[] = [];
  const transitions: ModelTransition[] = [];
  for (const node of allNodes(machine.root)) {
    if (skipped(node)) continue;
    const path = pathOf(node);
    const children = (Object.values(node.states) as AnyStateNode[]).filter((c) => !skipped(c)).map(pathOf);
    const initial = node.initial?.target[0] as AnyStateNode | undefined;
    states.push({
      path,
      // The one region drawn for all pages is named for any page.
      key: !node.parent ? name : collapse && pathOf(node.parent) === collapse.parent ? 'pK' : node.key,
      type: node.type as ModelState['type'],
      description: node.description ?? '',
      citations: citationsOf(node.description),
      ...(initial && node.type === 'compound' ? { initial: pathOf(initial) } : {}),
      children,
      ...(collapse && node.parent && pathOf(node.parent) === collapse.parent ? { repeat: collapse.count } : {}),
    });
    for (const { event, t, guard, label } of labelledTransitions(node)) {
      const refusal = refusalOf(t.actions ?? []);
      const base = { from: path, event, ...(guard ? { guard } : {}), label, description: t.description ?? '', citations: citationsOf(t.description) };
      if (t.target && t.target.length > 0) {
        for (const target of t.target) transitions.push({ ...base, to: pathOf(target) });
      } else {
        transitions.push({ ...base, ...(refusal ? { refusal } : {}) });
      }
    }
  }
  return { machine: name, description: machine.root.description ?? '', states, transitions };
}
