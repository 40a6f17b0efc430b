/**
 * Diagrams are drawn from the machines, and the reviewer's spec is generated
 * from the code: the SVG (laid out by ELK) is well-formed with one box per
 * state, every refusal listed and every transition's citation as a tooltip;
 * the layout itself has no overlaps and every label sits on its edge; the
 * Mermaid declares every state once and only draws edges between declared
 * states; the committed docs/SPEC.md and docs/*.svg are what the code
 * generates now.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import type { AnyStateNode } from 'xstate';
import { DIAGRAM_MACHINES, diagramModel, drawMachine } from '../src/present/draw/machine-diagrams';
import { specData } from '../src/present/spec/spec-data';
import { generateSpec } from '../src/present/spec/spec-document';
import { blockTables, rangeTables } from '../src/present/spec/machine-tables';
import { formatField, PROFILE_FIELDS, VARIANT_PROFILES, VARIANTS } from '../machines/variant';
import { policyDifferences, variantDifferences } from '../src/present/draw/differences';
import { parseSources } from '../src/present/draw/sources';
import { committedDiagram } from '../src/present/view/committed-diagram';
import { layoutMachine } from '../src/present/draw/elk-layout';
import { checkInputOfLayout, overlaps } from '../src/present/draw/layout-check';
import { allNodes, idOf, isLeaf } from '../src/present/draw/machine-graph';
import { runCli } from './support/run-cli';

const root = join(__dirname, '..');
// Each machine is laid out once for all the tests that read its picture.
const drawn = new Map<string, Promise<string>>();
const svgOf = (name: string) => {
  if (!drawn.has(name)) drawn.set(name, drawMachine(name, 'svg'));
  return drawn.get(name)!;
};
const leaves = (name: string) => [...allNodes(DIAGRAM_MACHINES[name]!().root)].filter((n: AnyStateNode) => n.parent && isLeaf(n)).map(idOf);

describe.each(Object.keys(DIAGRAM_MACHINES))('%s machine diagrams', (name) => {
  it('SVG (ELK) is well-formed, with one box per state and every refusal listed in its state', async () => {
    const svg = await svgOf(name);
    expect(XMLValidator.validate(svg)).toBe(true);
    const model = diagramModel(name);
    const boxes = [...svg.matchAll(/<g class="state [^"]*" id="[^"]*" data-state="([^"]*)">/g)].map((m) => m[1]!);
    expect(boxes.sort()).toEqual(model.states.map((s) => s.path).sort());
    const refusals = [...svg.matchAll(/<g class="refusal" data-from="([^"]*)" data-event="([^"]*)" data-refusal="([^"]*)">/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    const expected = model.transitions.filter((t) => t.refusal).map((t) => `${t.from} ${t.event} ${t.refusal}`);
    expect(refusals.sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(0);
  });

  it('every transition drawn carries its description and citations as a <title> tooltip', async () => {
    const svg = await svgOf(name);
    const model = diagramModel(name);
    const cited = model.transitions.filter((t) => t.citations.some((c) => c.startsWith('S-')));
    for (const t of cited) {
      const tip = `${t.label}: ${t.description}`.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
      if (t.to === undefined && !t.refusal) continue; // accepted, nothing changes: in the tables, not drawn
      expect(svg).toContain(tip);
    }
    for (const tag of new Set(cited.flatMap((t) => t.citations.filter((c) => c.startsWith('S-'))))) expect(svg).toContain(tag);
  });

  it('the ELK layout has no overlapping boxes, no label over a box, a title or a label, and every label on its edge', async () => {
    const layout = await layoutMachine(diagramModel(name));
    const input = checkInputOfLayout(layout);
    expect(input.boxes.length).toBe(diagramModel(name).states.length);
    expect(input.labels.length).toBeGreaterThan(3);
    expect(overlaps(input)).toEqual([]);
  });

  it('gmem diagram --format json is the machine as data', async () => {
    const model = JSON.parse(await drawMachine(name, 'json')) as ReturnType<typeof diagramModel>;
    expect(model.machine).toBe(name);
    expect(model.transitions.every((t) => typeof t.description === 'string' && Array.isArray(t.citations))).toBe(true);
    expect(model.transitions.some((t) => t.citations.length > 0)).toBe(true);
  });

  it(`docs/${name}.svg (embedded in the README) is the machine as drawn now`, async () => {
    expect(readFileSync(join(root, 'docs', `${name}.svg`), 'utf8')).toBe(`${await svgOf(name)}`.replace(/\n?$/, '\n'));
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(`](docs/${name}.svg)`);
  });

  it('Mermaid declares every state once and draws edges only between declared states', async () => {
    const text = await drawMachine(name, 'mermaid');
    expect(text.split('\n')[0]).toBe('stateDiagram-v2');
    const declared = [...text.matchAll(/^\s*state "[^"]+" as (\S+)/gm)].map((m) => m[1]!);
    expect(new Set(declared).size).toBe(declared.length);
    for (const leaf of leaves(name)) expect(declared).toContain(leaf);
    for (const [, from, to] of text.matchAll(/^\s*(\S+) --> (\S+?):?(?: |$)/gm)) {
      if (from !== '[*]') expect(declared).toContain(from);
      expect(declared).toContain(to);
    }
  });
});

it("mermaid's own parser accepts every machine's diagram (and rejects a broken one)", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gmem-mermaid-'));
  const files: string[] = [];
  for (const name of Object.keys(DIAGRAM_MACHINES)) {
    const file = join(dir, `${name}.mmd`);
    writeFileSync(file, await drawMachine(name, 'mermaid'));
    files.push(file);
  }
  const broken = join(dir, 'broken.mmd');
  writeFileSync(broken, 'stateDiagram-v2\n  a --> b: x\n  b --> : broken\n');
  const run = spawnSync(process.execPath, [join(__dirname, 'support', 'mermaid-parse.mjs'), ...files, broken], { encoding: 'utf8' });
  const results = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; ok: boolean; error?: string });
  expect(results.filter((r) => r.file !== broken)).toEqual(files.map((file) => ({ file, ok: true, diagramType: 'stateDiagram' })));
  expect(results.find((r) => r.file === broken)?.ok).toBe(false);
}, 60_000);

it('the block draws its page region once, with an × N badge, beside the folio and inode regions', async () => {
  const svg = await svgOf('block');
  expect(svg).toContain('data-state="pages.p0"');
  expect(svg).not.toContain('data-state="pages.p1"');
  expect(svg).toMatch(/<g class="badge">.*<text[^>]*>× N<\/text><\/g>/);
  for (const region of ['inode', 'folio', 'folio.file', 'folio.wrapper']) expect(svg).toContain(`data-state="${region}"`);
});

it('a layout with a label over a box, a stray label or two boxes overlapping is caught', () => {
  const box = (id: string, x: number, y: number, ancestors: string[] = []) => ({ id, x, y, width: 100, height: 40, ancestors, leaf: true });
  const edges = [{ id: 'e', points: [{ x: 0, y: 200 }, { x: 300, y: 200 }] }];
  expect(overlaps({ boxes: [box('a', 0, 0), box('b', 50, 20)], labels: [], edges })).toEqual([{ kind: 'state/state', a: 'a', b: 'b' }]);
  expect(overlaps({ boxes: [box('a', 0, 0)], labels: [{ x: 10, y: 10, width: 20, height: 10, edge: 'e', text: 'X' }], edges }).map((o) => o.kind)).toEqual(['label/state', 'label detached']);
  expect(overlaps({ boxes: [], labels: [{ x: 10, y: 190, width: 20, height: 8, edge: 'e', text: 'X' }, { x: 20, y: 192, width: 20, height: 8, edge: 'e', text: 'Y' }], edges })).toEqual([{ kind: 'label/label', a: 'X', b: 'Y' }]);
});

it('the parallel regions and guards are drawn in DOT', async () => {
  const dot = await drawMachine('folio', 'dot');
  expect(dot).toMatch(/label="folio \(parallel\)"|style=dashed/);
  expect(dot).toContain('SPLIT [splitFails] / ENOMEM');
  expect(dot).toContain('MERGE [pinned] / EAGAIN');
});

let generated: string | undefined;
const specText = () => (generated ??= generateSpec());

it('docs/SPEC.md is what `gmem spec` generates now', () => {
  expect(readFileSync(join(root, 'docs', 'SPEC.md'), 'utf8')).toBe(specText());
});

it('gmem diagram refuses an unknown format with exit 2', () => {
  const r = runCli(['diagram', 'range', '--format', 'png']);
  expect(r.status).toBe(2);
  expect(r.stderr).toBe("gmem: diagram: --format must be one of mermaid, dot, svg, json, got 'png'\n");
});

describe('docs/SPEC.md', () => {
  const spec = specText();
  const sources = parseSources(readFileSync(join(root, 'docs', 'SOURCES.md'), 'utf8'));

  it('is GitHub-flavoured Markdown whose every table row has its header\'s column count (parsed by marked)', () => {
    const run = spawnSync(process.execPath, [join(__dirname, 'support', 'gfm-tables.mjs'), join(root, 'docs', 'SPEC.md')], { encoding: 'utf8' });
    const result = JSON.parse(run.stdout) as { tables: Array<{ header: number; headerRaw: number; rows: Array<{ row: string; cells: number }> }>; delimiterRows: number };
    expect(result.tables.length).toBe(result.delimiterRows);
    expect(result.tables.length).toBeGreaterThan(50);
    const bad = result.tables.flatMap((t) => [...(t.headerRaw === t.header ? [] : [{ header: t.header, row: 'header' }]), ...t.rows.filter((r) => r.cells !== t.header).map((r) => ({ header: t.header, ...r }))]);
    expect(bad).toEqual([]);
  });

  it('a cell with a pipe (`|SSPP|`) would break a table, and is escaped', () => {
    expect(spec).toContain('`\\|SSPP\\|`');
  });

  it('has a table of contents whose every link lands on a heading', () => {
    const toc = spec.split('## Contents\n')[1]!.split('\n## ')[0]!;
    const anchors = [...toc.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    expect(anchors.length).toBeGreaterThan(15);
    const slug = (h: string) => h.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const headings = new Set([...spec.matchAll(/^#{2,4} (.*)$/gm)].map((m) => slug(m[1]!)));
    expect(anchors.filter((a) => !headings.has(a))).toEqual([]);
  });

  it.each(['range', 'folio', 'block'])('lists every state and transition of the %s machine with its description and linked citations', (name) => {
    const model = diagramModel(name);
    const section = spec.split(`## The ${name} machine`)[1]!.split('\n## ')[0]!;
    for (const s of model.states) expect(section).toContain(`#### \`${s.path || name}\``);
    for (const t of model.transitions) {
      const links = t.citations.map((c) => (c.startsWith('S-') ? `[${c}](SOURCES.md#${c.toLowerCase()})` : c)).filter((l) => l.startsWith('['));
      const row = section.split('\n').find((l) => l.startsWith(`| \`${t.event}\` |`) && l.includes(t.description.replace(/\\/g, '\\\\').replace(/\|/g, '\\|')));
      expect({ transition: `${t.from} ${t.label}`, row: row !== undefined }).toEqual({ transition: `${t.from} ${t.label}`, row: true });
      for (const link of links) expect(row).toContain(link);
    }
  });

  it('links every source tag it cites to a section SOURCES.md has (S-39 included)', () => {
    const linked = [...spec.matchAll(/\]\(SOURCES\.md#([^)]+)\)/g)].map((m) => m[1]!);
    expect(linked).toContain('s-39');
    const anchors = new Set(sources.map((s) => s.anchor));
    expect([...new Set(linked)].filter((a) => !anchors.has(a))).toEqual([]);
  });

  it('cites for every invariant where DOMAIN defines it, and no invariant without a source', () => {
    const rows = spec.split('\n## Invariants\n')[1]!.split('\n## ')[0]!.split('\n').filter((l) => /^\| INV-\d+ \|/.test(l));
    expect(rows.length).toBe(14);
    for (const row of rows) expect(row).toContain('[DOMAIN 9](DOMAIN.md#9-invariants)');
  });

  it('names every reachable block state by a unique label, each part of which the legend explains', () => {
    const block = blockTables(2);
    const labels = block.tables[0]!.rows.map((r) => r.state);
    expect(new Set(labels).size).toBe(labels.length);
    const legend = block.states.map((s) => s.state);
    expect(legend).toEqual(expect.arrayContaining(['|SSPP|', 'split-armed', 'closed']));
    expect(labels.some((l) => l.includes('split-armed'))).toBe(true);
  });

  it('shows where the variants and where the policies differ, generated for every variant', () => {
    const variants = variantDifferences();
    expect(variants.columns).toEqual([...VARIANTS]);
    expect(variants.rows.map((r) => r.probe.name)).toEqual(expect.arrayContaining(['hugetlb + init-shared', 'convert length 0', 'split failure mid-conversion']));
    const policies = Object.fromEntries(policyDifferences().map((d) => [d.policy, d.rows.map((r) => r.probe.name)]));
    expect(policies).toMatchObject({ truncateWhilePinned: ['punch a pinned split block'], afterTruncate: ['shareability after a punch'] });
    expect(spec).toContain('### Where the variants differ');
    expect(spec).toContain('| split failure mid-conversion |');
  });

  it("shows every variant's profile: a row per field of machines/variant.ts, a column per tree", () => {
    const section = spec.split("### The variants' profiles\n")[1]!.split('\n### ')[0]!;
    const rows = section.split('\n').filter((l) => l.startsWith('| ')).map((l) => l.slice(2, -2).split(/ (?<!\\)\| /).map((c) => c.replace(/\\\|/g, '|')));
    expect(rows[0]).toEqual(['field', 'meaning', ...VARIANTS.map((v) => `\`${v}\``)]);
    const fields = Object.entries(PROFILE_FIELDS) as Array<[keyof typeof PROFILE_FIELDS, { title: string; gloss: string }]>;
    expect(rows.slice(1).map((r) => r[0])).toEqual(fields.map(([, note]) => note.title));
    for (const [field, note] of fields) {
      const row = rows.find((r) => r[0] === note.title)!;
      expect(row.slice(2)).toEqual(VARIANTS.map((v) => formatField(VARIANT_PROFILES[v][field])));
    }
  });
});

describe('the spec and tables as data', () => {
  it('gmem tables --json carries every state\'s and every cell\'s descriptions and citations', () => {
    const r = runCli(['tables', '--json']);
    expect(r.status).toBe(0);
    const tables = JSON.parse(r.stdout) as Array<ReturnType<typeof rangeTables>>;
    expect(tables.map((t) => t.machine)).toEqual(['range', 'folio', 'block']);
    for (const t of tables) {
      for (const s of t.states) expect(typeof s.description === 'string' && Array.isArray(s.citations)).toBe(true);
      for (const row of t.tables.flatMap((x) => x.rows)) for (const o of row.outcomes) expect(o.transitions.length).toBeGreaterThan(0);
    }
    expect(r.stdout).toContain('S-39');
  });

  it('gmem spec --json is the model: machines, invariants, variants, policies and their differences', () => {
    const data = JSON.parse(JSON.stringify(specData())) as ReturnType<typeof specData>;
    expect(data.machines.map((m) => m.model.machine)).toEqual(['range', 'folio', 'block']);
    expect(data.variants.map((v) => v.name)).toEqual([...VARIANTS]);
    expect(data.variantDifferences.rows.length).toBeGreaterThan(2);
  }, 30_000);
});

it('the viewer serves a committed diagram only while it still draws the machine as it is', () => {
  const model = diagramModel('folio');
  expect(committedDiagram('folio', model)).toBe(readFileSync(join(root, 'docs', 'folio.svg'), 'utf8'));
  const changed = { ...model, transitions: model.transitions.map((t, i) => (i === 3 ? { ...t, description: `${t.description} (changed)` } : t)) };
  expect(committedDiagram('folio', changed)).toBeUndefined();
  expect(committedDiagram('folio', { ...model, states: model.states.slice(1) })).toBeUndefined();
});
