/**
 * Diagrams are drawn from the machines, and the reviewer's spec is generated
 * from the code: the SVG is well-formed XML with one node per state, the
 * Mermaid declares every state once and only draws edges between declared
 * states, and the committed docs/SPEC.md and docs/range.svg are what the code
 * generates now.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import type { AnyStateNode } from 'xstate';
import { DIAGRAM_MACHINES, drawMachine } from '../src/commands/diagram';
import { generateSpec } from '../src/commands/spec';
import { allNodes, idOf, isLeaf } from '../visualize/machine-graph';
import { runCli } from './support/run-cli';

const root = join(__dirname, '..');
const leaves = (name: string) => [...allNodes(DIAGRAM_MACHINES[name]!().root)].filter((n: AnyStateNode) => n.parent && isLeaf(n)).map(idOf);

describe.each(Object.keys(DIAGRAM_MACHINES))('%s machine diagrams', (name) => {
  it('SVG is well-formed, with exactly one node per state', async () => {
    const svg = await drawMachine(name, 'svg');
    expect(XMLValidator.validate(svg)).toBe(true);
    const titles = [...svg.matchAll(/<g id="node\d+" class="node">\s*<title>([^<]*)<\/title>/g)].map((m) => m[1]!).filter((t) => !t.startsWith('__initial_'));
    expect(titles.sort()).toEqual(leaves(name).sort());
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

it('the parallel regions and guards are drawn in DOT', async () => {
  const dot = await drawMachine('folio', 'dot');
  expect(dot).toMatch(/label="folio \(parallel\)"|style=dashed/);
  expect(dot).toContain('SPLIT [splitFails] / ENOMEM');
  expect(dot).toContain('MERGE [pinned] / EAGAIN');
});

it('docs/SPEC.md is what `gmem spec` generates now', () => {
  expect(readFileSync(join(root, 'docs', 'SPEC.md'), 'utf8')).toBe(generateSpec());
});

it('docs/range.svg (embedded in the README) is the range machine as drawn now', async () => {
  expect(readFileSync(join(root, 'docs', 'range.svg'), 'utf8')).toBe(`${await drawMachine('range', 'svg')}`.replace(/\n?$/, '\n'));
});

it('gmem diagram refuses an unknown format with exit 2', () => {
  const r = runCli(['diagram', 'range', '--format', 'png']);
  expect(r.status).toBe(2);
  expect(r.stderr).toBe("gmem: diagram: --format must be one of mermaid, dot, svg, got 'png'\n");
});
