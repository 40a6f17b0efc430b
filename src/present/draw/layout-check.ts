/**
 * Measures a diagram's layout for what makes it unreadable: state boxes that
 * overlap (other than a child inside its parent), edge labels over a state
 * box, over a compound's title and refusal list, or over another label, and
 * labels drawn away from their edge. Works on plain rectangles, so the same
 * check measures the ELK layout and (for the record) the old Graphviz one.
 */
import type { Box, Layout } from './elk-layout';
import { SMALL, TITLE } from './elk-layout';

export interface CheckedBox extends Box {
  id: string;
  /** ids of the boxes that contain this one (its ancestors). */
  ancestors: string[];
  leaf: boolean;
  /** for compounds: the strip at the top holding the name and the refusal list. */
  header?: Box;
}
export interface CheckedLabel extends Box {
  edge: string;
  text: string;
}
export interface CheckedEdge {
  id: string;
  points: Array<{ x: number; y: number }>;
}
export interface CheckInput {
  boxes: CheckedBox[];
  labels: CheckedLabel[];
  edges: CheckedEdge[];
}

export interface Overlap {
  kind: 'state/state' | 'label/state' | 'label/title' | 'label/label' | 'label detached';
  a: string;
  b: string;
}

/** Positive-area intersection (touching edges do not count). */
const EPS = 0.5;
export const intersects = (a: Box, b: Box) =>
  a.x + EPS < b.x + b.width && b.x + EPS < a.x + a.width && a.y + EPS < b.y + b.height && b.y + EPS < a.y + a.height;
const inside = (a: Box, b: Box) => a.x >= b.x - EPS && a.y >= b.y - EPS && a.x + a.width <= b.x + b.width + EPS && a.y + a.height <= b.y + b.height + EPS;

function segmentToBox(p: { x: number; y: number }, q: { x: number; y: number }, b: Box): number {
  // Distance from a segment to a rectangle, sampled finely enough for pixels.
  const steps = Math.max(1, Math.ceil(Math.hypot(q.x - p.x, q.y - p.y) / 2));
  let best = Infinity;
  for (let i = 0; i <= steps; i++) {
    const x = p.x + ((q.x - p.x) * i) / steps;
    const y = p.y + ((q.y - p.y) * i) / steps;
    const dx = Math.max(b.x - x, 0, x - (b.x + b.width));
    const dy = Math.max(b.y - y, 0, y - (b.y + b.height));
    best = Math.min(best, Math.hypot(dx, dy));
  }
  return best;
}

export function distanceToEdge(label: Box, edge: CheckedEdge): number {
  let best = Infinity;
  for (let i = 1; i < edge.points.length; i++) best = Math.min(best, segmentToBox(edge.points[i - 1]!, edge.points[i]!, label));
  return best;
}

/** A label counts as attached when its box is within this many pixels of its edge's route. */
export const ATTACHED_PX = 8;

export function overlaps(input: CheckInput): Overlap[] {
  const out: Overlap[] = [];
  const { boxes, labels, edges } = input;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.ancestors.includes(b.id) || b.ancestors.includes(a.id)) continue;
      if (intersects(a, b)) out.push({ kind: 'state/state', a: a.id, b: b.id });
    }
  }
  for (const l of labels) {
    for (const b of boxes) {
      if (b.header && intersects(l, b.header)) out.push({ kind: 'label/title', a: l.text, b: b.id });
      // A label inside a compound's area is where it belongs; over a leaf or across a border it is not.
      if (intersects(l, b) && (b.leaf || !inside(l, b))) out.push({ kind: 'label/state', a: l.text, b: b.id });
    }
  }
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      if (intersects(labels[i]!, labels[j]!)) out.push({ kind: 'label/label', a: labels[i]!.text, b: labels[j]!.text });
    }
  }
  for (const l of labels) {
    const edge = edges.find((e) => e.id === l.edge);
    if (!edge || distanceToEdge(l, edge) > ATTACHED_PX) out.push({ kind: 'label detached', a: l.text, b: l.edge });
  }
  return out;
}

/** The ELK layout as rectangles: states, their headers, edge labels and routes. */
export function checkInputOfLayout(layout: Layout): CheckInput {
  const parents = new Map(layout.states.map((s) => [s.state.path, s.parent]));
  const ancestors = (path: string) => {
    const out: string[] = [];
    for (let p = parents.get(path); p !== undefined; p = parents.get(p)) out.push(p);
    return out;
  };
  return {
    boxes: layout.states.map((s) => {
      const leaf = s.state.children.length === 0;
      const headerHeight = 8 + TITLE.line + (s.refusals.length ? s.refusals.length * SMALL.line + 4 : 0);
      return {
        id: s.state.path || s.state.key,
        x: s.x,
        y: s.y,
        width: s.width,
        height: s.height,
        ancestors: ancestors(s.state.path).map((p) => p || layout.model.machine),
        leaf,
        ...(leaf ? {} : { header: { x: s.x, y: s.y, width: s.width, height: headerHeight } }),
      };
    }),
    labels: layout.edges.filter((e) => e.label).map((e) => ({ ...e.label!, edge: e.id, text: e.label!.lines.join(', ') })),
    edges: layout.edges.map((e) => ({ id: e.id, points: e.points })),
  };
}
