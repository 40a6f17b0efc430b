/**
 * SVG drawn from an ELK layout (src/present/draw/elk-layout.ts), without a browser.
 * States are rounded boxes (parallel ones dashed) with their refusals listed
 * under the name; edges are ELK's orthogonal routes with their labels where
 * ELK put them. Every state, edge and refusal carries a `<title>` tooltip
 * with its description and citations, and `data-` attributes the viewer uses
 * to highlight the current state and the transition taken.
 */
import type { Layout, LaidEdge, LaidState } from './elk-layout';
import { FONT, SMALL, TITLE, textWidth } from './elk-layout';
import type { ModelTransition } from './machine-model';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (v: number) => String(Math.round(v * 10) / 10);

const sources = (citations: string[]) => (citations.length ? `\nSources: ${citations.join(', ')}` : '');
export const transitionTip = (t: ModelTransition) =>
  `${t.from || '(machine)'} → ${t.to ?? (t.refusal ? `refused ${t.refusal}` : '(unchanged)')} on ${t.label}: ${t.description}${sources(t.citations)}`;

const STYLE = `
  text { font-family: ${FONT.family}; fill: #222; }
  .state > rect { fill: #fff; stroke: #555; stroke-width: 1.2; }
  .state.compound > rect, .state.parallel > rect { fill: #f6f7fb; }
  .state.parallel > rect { stroke-dasharray: 6 4; }
  .state.root > rect { fill: #fcfcfd; }
  .state .name { font-size: ${TITLE.size}px; font-weight: bold; }
  .badge rect { fill: #37474f; } .badge text { fill: #fff; font-size: ${SMALL.size}px; font-weight: bold; }
  .refusal text { font-size: ${SMALL.size}px; fill: #b71c1c; }
  .edge path { fill: none; stroke: #546e7a; stroke-width: 1.3; }
  .edge.initial path { stroke: #222; }
  .edge-label rect { fill: #fff; fill-opacity: 0.92; stroke: #cfd8dc; stroke-width: 0.6; }
  .edge-label text { font-size: ${SMALL.size}px; fill: #1a237e; }
  .marker { fill: #222; }
  .state.current > rect { fill: #ffe082; stroke: #e65100; stroke-width: 3; }
  .edge.taken path { stroke: #e65100; stroke-width: 3.5; }
  .edge.taken .edge-label rect { fill: #ffe082; stroke: #e65100; }
  .refusal.taken text { font-weight: bold; text-decoration: underline; }
`;

function stateSvg(s: LaidState): string {
  const { state } = s;
  const kind = s.parent === undefined ? 'root parallel' : state.type === 'parallel' ? 'parallel' : state.children.length ? 'compound' : 'atomic';
  const x = s.x + 8;
  let y = s.y + 8 + TITLE.size;
  const out = [
    `<g class="state ${kind}" id="${esc(`state:${state.path}`)}" data-state="${esc(state.path)}">`,
    `<title>${esc(`${state.path || state.key}: ${state.description}${sources(state.citations)}`)}</title>`,
    `<rect x="${n(s.x)}" y="${n(s.y)}" width="${n(s.width)}" height="${n(s.height)}" rx="8"/>`,
    `<text class="name" x="${n(x)}" y="${n(y)}">${esc(state.type === 'parallel' ? `${state.key} (parallel)` : state.key)}</text>`,
  ];
  if (state.repeat) {
    const bx = x + textWidth(`${state.key}  `, TITLE.size);
    const label = '× N';
    out.push(
      `<g class="badge"><title>${esc(`One region per page, drawn once: page K of the block runs it on its own (N = ${state.repeat} in the machine drawn; 512 for a 2 MiB block of 4 KiB pages).`)}</title>`,
      `<rect x="${n(bx - 3)}" y="${n(y - TITLE.size + 1)}" width="${textWidth(label, TITLE.size) + 6}" height="${TITLE.line - 2}" rx="7"/>`,
      `<text x="${n(bx)}" y="${n(y - 2)}">${esc(label)}</text></g>`,
    );
  }
  y += 4;
  for (const r of s.refusals) {
    y += SMALL.line;
    out.push(
      `<g class="refusal" data-from="${esc(r.from)}" data-event="${esc(r.event)}" data-refusal="${esc(r.refusal ?? '')}"><title>${esc(transitionTip(r))}</title>`,
      `<text x="${n(x)}" y="${n(y - 3)}">${esc(`${r.label} ✗ ${r.refusal}`)}</text></g>`,
    );
  }
  out.push('</g>');
  return out.join('');
}

function edgeSvg(e: LaidEdge): string {
  const d = e.points.map((p, i) => `${i ? 'L' : 'M'}${n(p.x)},${n(p.y)}`).join(' ');
  const tip = e.transitions.map(transitionTip).join('\n\n');
  const out = [
    `<g class="edge${e.initial ? ' initial' : ''}" id="${esc(`edge:${e.id}`)}" data-from="${esc(e.from)}" data-to="${esc(e.to)}" data-events="${esc(e.transitions.map((t) => t.event).join(' '))}">`,
    tip ? `<title>${esc(tip)}</title>` : '',
    `<path d="${d}" marker-end="url(#arrow)"/>`,
  ];
  if (e.label) {
    const { x, y, width, height, lines } = e.label;
    out.push(`<g class="edge-label"><rect x="${n(x)}" y="${n(y)}" width="${n(width)}" height="${n(height)}" rx="3"/>`);
    lines.forEach((line, i) => out.push(`<text x="${n(x + 3)}" y="${n(y + 2 + (i + 1) * SMALL.line - 3)}">${esc(line)}</text>`));
    out.push('</g>');
  }
  out.push('</g>');
  return out.join('');
}

export function layoutToSvg(layout: Layout): string {
  const { width, height } = layout;
  // Parents first, so children are drawn over them; edges last, over every box.
  const states = [...layout.states];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" data-machine="${esc(layout.model.machine)}">`,
    `<title>${esc(`The ${layout.model.machine} machine: ${layout.model.description}`)}</title>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#546e7a"/></marker></defs>`,
    `<style>${STYLE}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...states.map(stateSvg),
    ...layout.markers.map((m) => `<circle class="marker" cx="${n(m.x + m.width / 2)}" cy="${n(m.y + m.height / 2)}" r="${n(m.width / 2)}"/>`),
    ...layout.edges.map(edgeSvg),
    '</svg>',
  ].join('\n');
}
