/**
 * The layers, enforced: arrows point one way, from the command line down to
 * the machines, and no file imports another that imports it back.
 *
 *   7 src/cli/                                      the command line
 *   6 src/present/                                  report, viewer, inspector, drawings
 *   5 src/trace/ src/walk/ src/explore/ src/selftest/ src/kernel-run/   the engine's consumers
 *   4 src/engine/                                   one step, one reader of the simulator
 *   3 src/invariants/                               INV-1..14
 *   2 src/interpreter/                              the simulator
 *   1 src/arena/, src/trace/schema.ts (and its field suggestions: the trace contract every layer speaks)
 *   0 machines/, and leaf modules of src/ (one file each, importing nothing of the project)
 *
 * A file imports only files of its own layer or below; consumers of one
 * layer may use each other, but the folders' graph has no cycle. The
 * presentation and the command line read the simulator only through the
 * engine: below it they may name types, never import objects, except the
 * simulator's configuration (src/interpreter/config.ts), a value they build.
 */
import { join } from 'node:path';
import { cycles, importEdges } from './support/import-graph';

const ROOT = join(__dirname, '..');
const edges = importEdges(ROOT, ['machines', 'src']);

const CONTRACT = new Set(['src/trace/schema.ts', 'src/trace/field-suggestion.ts']);
const RANKS: Array<[string, number]> = [
  ['src/cli/', 7],
  ['src/present/', 6],
  ['src/trace/', 5],
  ['src/walk/', 5],
  ['src/explore/', 5],
  ['src/selftest/', 5],
  ['src/kernel-run/', 5],
  ['src/engine/', 4],
  ['src/invariants/', 3],
  ['src/interpreter/', 2],
  ['src/arena/', 1],
  ['machines/', 0],
];

function folderOf(file: string): string {
  if (CONTRACT.has(file)) return 'src/trace/schema';
  const hit = RANKS.find(([prefix]) => file.startsWith(prefix));
  return hit ? hit[0] : file;
}

function rankOf(file: string): number {
  if (CONTRACT.has(file)) return 1;
  const hit = RANKS.find(([prefix]) => file.startsWith(prefix));
  if (hit) return hit[1];
  if (/^src\/[^/]+\.ts$/.test(file)) return 0;
  throw new Error(`${file} is in no layer: add its folder to RANKS in test/layering.test.ts`);
}

it('no import cycle between files (type-only imports included)', () => {
  expect(cycles(new Map([...edges].map(([f, es]) => [f, es.map((e) => e.to)])))).toEqual([]);
});

it('every import points to the same layer or one below', () => {
  const upward: string[] = [];
  for (const [file, es] of edges) for (const e of es) if (rankOf(e.to) > rankOf(file)) upward.push(`${file} -> ${e.to}`);
  expect(upward).toEqual([]);
});

it('the leaf modules of src/ import nothing of the project', () => {
  const leaves = [...edges].filter(([f]) => rankOf(f) === 0 && f.startsWith('src/'));
  expect(leaves.length).toBeGreaterThan(0);
  expect(leaves.filter(([, es]) => es.length > 0).map(([f, es]) => `${f} -> ${es.map((e) => e.to).join(', ')}`)).toEqual([]);
});

it("the folders' graph has no cycle", () => {
  const folders = new Map<string, string[]>();
  for (const [file, es] of edges) {
    const from = folderOf(file);
    const to = es.map((e) => folderOf(e.to)).filter((f) => f !== from);
    folders.set(from, [...new Set([...(folders.get(from) ?? []), ...to])]);
  }
  expect(cycles(folders)).toEqual([]);
});

it('the presentation and the command line read the simulator only through the engine', () => {
  const below = ['src/interpreter/', 'src/arena/', 'src/invariants/'];
  const reads: string[] = [];
  for (const [file, es] of edges) {
    if (!file.startsWith('src/present/') && !file.startsWith('src/cli/')) continue;
    for (const e of es) if (!e.typeOnly && e.to !== 'src/interpreter/config.ts' && below.some((b) => e.to.startsWith(b))) reads.push(`${file} -> ${e.to}`);
  }
  expect(reads).toEqual([]);
});

it('nothing outside the command line imports it', () => {
  const into = [...edges].flatMap(([file, es]) => (file.startsWith('src/cli/') ? [] : es.filter((e) => e.to.startsWith('src/cli/')).map((e) => `${file} -> ${e.to}`)));
  expect(into).toEqual([]);
});

it('a command imports no other command: what two commands share is library code below them', () => {
  const between = [...edges].flatMap(([file, es]) => (file.startsWith('src/cli/commands/') ? es.filter((e) => e.to.startsWith('src/cli/commands/')).map((e) => `${file} -> ${e.to}`) : []));
  expect(between).toEqual([]);
});
