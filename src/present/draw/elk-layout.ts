/**
 * Lays a machine model out with ELK's layered algorithm (the layout Stately's
 * own visualiser uses for statecharts). Hierarchy is handled by ELK itself
 * (INCLUDE_CHILDREN), so edges are routed across compound borders, which
 * Graphviz clusters cannot do. Every coordinate in the result is absolute
 * (ELK's json.shapeCoords/edgeCoords ROOT), so the SVG renderer and the
 * layout test read the same numbers.
 *
 * Refusals keep the state; rather than zero-length self-loops they are listed
 * inside the state's box, under its name, so the box is sized for them.
 * Text is measured for a monospace font, whose advance is fixed
 * (0.6 em for DejaVu Sans Mono and most others), so boxes fit their text
 * without a browser.
 */
import type { ElkExtendedEdge, ElkLabel, ElkNode } from 'elkjs/lib/elk-api';
import type { MachineModel, ModelState, ModelTransition } from './machine-model';

// elkjs' bundled build runs ELK in-process (no worker, no browser); a typed require keeps jest and tsx alike.
// Loaded at the first layout, not with the CLI: it is 60 ms of every `gmem` start that draws nothing.
type ElkClass = typeof import('elkjs/lib/elk.bundled.js').default;
let elk: ElkClass | undefined;
const ELK = (): ElkClass => (elk ??= require('elkjs/lib/elk.bundled.js') as ElkClass);

export const FONT = { family: "'DejaVu Sans Mono', 'Menlo', 'Consolas', monospace", advance: 0.6 };
export const TITLE = { size: 13, line: 17 };
export const SMALL = { size: 11, line: 14 };
const PAD = 8;

export const textWidth = (text: string, size: number) => Math.ceil(text.length * size * FONT.advance);

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidState extends Box {
  state: ModelState;
  /** the parent state's path, undefined for the machine itself. */
  parent?: string;
  refusals: ModelTransition[];
}

export interface LaidEdge {
  id: string;
  from: string;
  to: string;
  /** every transition that takes this path, in definition order. */
  transitions: ModelTransition[];
  /** polyline from source to target, absolute. */
  points: Array<{ x: number; y: number }>;
  label?: Box & { lines: string[] };
  /** the edge from a compound state's initial marker. */
  initial?: boolean;
}

export interface Layout {
  model: MachineModel;
  width: number;
  height: number;
  states: LaidState[];
  /** initial markers: small filled circles. */
  markers: Array<Box & { parent: string }>;
  edges: LaidEdge[];
}

export const refusalLine = (t: ModelTransition) => `${t.label} ✗ ${t.refusal}`;
export const stateTitle = (s: ModelState) => (s.type === 'parallel' ? `${s.key} (parallel)` : s.key) + (s.repeat ? '  × N' : '');

const stateId = (path: string) => `s:${path}`;

export async function layoutMachine(model: MachineModel): Promise<Layout> {
  const byPath = new Map(model.states.map((s) => [s.path, s]));
  const refusals = new Map<string, ModelTransition[]>();
  for (const t of model.transitions) {
    if (t.to === undefined && t.refusal) refusals.set(t.from, [...(refusals.get(t.from) ?? []), t]);
  }
  // Edges grouped by (from, to); a self-transition with a target is drawn as an edge too.
  const groups = new Map<string, ModelTransition[]>();
  for (const t of model.transitions) {
    if (t.to === undefined || !byPath.has(t.to)) continue;
    const key = `${t.from}->${t.to}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const parentOf = (path: string) => model.states.find((s) => s.children.includes(path))?.path;
  const ancestors = (path: string): string[] => {
    const out = [path];
    for (let p = parentOf(path); p !== undefined; p = parentOf(p)) out.push(p);
    return out;
  };
  // An edge belongs to the lowest compound that holds both ends (not either end itself).
  const container = (from: string, to: string) => {
    const up = ancestors(from).slice(1);
    const theirs = new Set(ancestors(to).slice(1));
    return up.find((a) => theirs.has(a)) ?? '';
  };

  const elkNode = (s: ModelState): ElkNode => {
    const own = refusals.get(s.path) ?? [];
    const lines = own.map(refusalLine);
    const titleWidth = textWidth(stateTitle(s), TITLE.size);
    const listWidth = Math.max(0, ...lines.map((l) => textWidth(l, SMALL.size)));
    const listHeight = lines.length ? lines.length * SMALL.line + 4 : 0;
    const label: ElkLabel = { id: `l:${s.path}`, text: stateTitle(s), width: titleWidth, height: TITLE.line };
    if (s.children.length === 0) {
      return { id: stateId(s.path), width: Math.max(titleWidth, listWidth) + 2 * PAD, height: TITLE.line + listHeight + 2 * PAD, labels: [label] };
    }
    const children = s.children.map((c) => elkNode(byPath.get(c)!));
    if (s.initial) children.unshift({ id: `i:${s.path}`, width: 10, height: 10 });
    return {
      id: stateId(s.path),
      labels: [label],
      children,
      layoutOptions: {
        'elk.padding': `[top=${PAD + TITLE.line + listHeight + 8},left=${PAD + 4},bottom=${PAD + 4},right=${PAD + 4}]`,
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
        'elk.nodeSize.minimum': `(${Math.max(titleWidth, listWidth) + 2 * PAD}, 40)`,
      },
      edges: [],
    };
  };
  const root = elkNode(byPath.get('')!);
  const nodesById = new Map<string, ElkNode>();
  const index = (n: ElkNode) => {
    nodesById.set(n.id, n);
    n.children?.forEach(index);
  };
  index(root);

  const edgeMeta = new Map<string, { from: string; to: string; transitions: ModelTransition[]; initial?: boolean }>();
  const addEdge = (id: string, holderPath: string, from: string, to: string, sourceId: string, lines: string[], meta: { transitions: ModelTransition[]; initial?: boolean }) => {
    const holder = nodesById.get(stateId(holderPath))!;
    const edge: ElkExtendedEdge = {
      id,
      sources: [sourceId],
      targets: [stateId(to)],
      labels: lines.length ? [{ id: `${id}:label`, text: lines.join('\n'), width: Math.max(...lines.map((l) => textWidth(l, SMALL.size))) + 6, height: lines.length * SMALL.line + 4 }] : [],
    };
    (holder.edges ??= []).push(edge);
    edgeMeta.set(id, { from, to, ...meta });
  };
  for (const s of model.states) {
    // The initial marker and its target are both children of the compound.
    if (s.initial) addEdge(`init:${s.path}`, s.path, `${s.path}#initial`, s.initial, `i:${s.path}`, [], { transitions: [], initial: true });
  }
  [...groups.values()].forEach((ts, i) => {
    const { from, to } = ts[0]! as { from: string; to: string };
    addEdge(`e${i}`, container(from, to), from, to, stateId(from), ts.map((t) => t.label), { transitions: ts });
  });

  const graph: ElkNode = {
    id: 'graph',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.direction': 'RIGHT',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.spacing.nodeNode': '24',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40',
      'elk.spacing.edgeLabel': '4',
      'elk.spacing.edgeNode': '14',
      'elk.spacing.edgeEdge': '10',
      'elk.layered.spacing.edgeNodeBetweenLayers': '14',
      'elk.layered.spacing.edgeEdgeBetweenLayers': '10',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.nodeLabels.placement': '[H_LEFT, V_TOP, INSIDE]',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children: [root],
    edges: [],
  };
  const laid = await new (ELK())().layout(graph);

  const states: LaidState[] = [];
  const markers: Layout['markers'] = [];
  const walk = (n: ElkNode, parent?: string) => {
    if (n.id.startsWith('i:')) {
      markers.push({ x: n.x!, y: n.y!, width: n.width!, height: n.height!, parent: n.id.slice(2) });
      return;
    }
    const path = n.id.slice(2);
    states.push({ x: n.x!, y: n.y!, width: n.width!, height: n.height!, state: byPath.get(path)!, ...(parent === undefined ? {} : { parent }), refusals: refusals.get(path) ?? [] });
    n.children?.forEach((c) => walk(c, path));
  };
  walk(laid.children![0]!);

  const edges: LaidEdge[] = [];
  const collect = (n: ElkNode) => {
    for (const e of (n.edges ?? []) as ElkExtendedEdge[]) {
      const meta = edgeMeta.get(e.id)!;
      const points = (e.sections ?? []).flatMap((sec, i) => [...(i === 0 ? [sec.startPoint] : []), ...(sec.bendPoints ?? []), sec.endPoint]);
      const l = e.labels?.[0];
      edges.push({
        id: e.id,
        from: meta.from,
        to: meta.to,
        transitions: meta.transitions,
        points,
        ...(l ? { label: { x: l.x!, y: l.y!, width: l.width!, height: l.height!, lines: l.text!.split('\n') } } : {}),
        ...(meta.initial ? { initial: true } : {}),
      });
    }
    n.children?.forEach(collect);
  };
  collect(laid);
  return { model, width: laid.width!, height: laid.height!, states, markers, edges };
}
