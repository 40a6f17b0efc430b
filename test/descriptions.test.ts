/**
 * The spec is the code: every state node and every transition of every
 * machine carries a description that quotes the deck or cites a source tag,
 * and every S- tag, whether cited in the code or listed in DOMAIN.md's
 * Sources table, resolves in docs/SOURCES.md to a URL (lore or a repository
 * at a commit or branch), a path and function names.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { createBlockMachine } from '../machines/block.machine';
import { folioMachine } from '../machines/folio.machine';
import { rangeMachine } from '../machines/range.machine';
import { parseSources } from '../src/present/draw/sources';

const root = join(__dirname, '..');
const CITATION = /\b(S-[A-Za-z0-9]+|[Dd]eck|INV-\d+|DOMAIN \d+|TRACE-FORMAT)\b/;
const sources = parseSources(readFileSync(join(root, 'docs', 'SOURCES.md'), 'utf8'));
const knownTags = new Set(sources.map((s) => s.tag));

function* nodes(node: AnyStateNode): Generator<AnyStateNode> {
  yield node;
  for (const child of Object.values(node.states)) yield* nodes(child);
}

function uncited(machine: AnyStateMachine): string[] {
  const problems: string[] = [];
  const check = (where: string, text: string | undefined) => {
    if (!text || !CITATION.test(text)) problems.push(`${where}: ${text ?? '(no description)'}`);
    for (const tag of text?.match(/\bS-[A-Za-z0-9]+/g) ?? []) {
      if (!knownTags.has(tag)) problems.push(`${where}: tag ${tag} is not in docs/SOURCES.md`);
    }
  };
  for (const node of nodes(machine.root)) {
    if (node.type === 'history') continue;
    check(`state ${node.id}`, node.description);
    for (const [event, transitions] of node.transitions) {
      transitions.forEach((t: { description?: string }, i: number) => check(`${node.id} on ${event} [${i}]`, t.description));
    }
    node.always?.forEach((t: { description?: string }, i: number) => check(`${node.id} always [${i}]`, t.description));
  }
  return problems;
}

/** Every S- tag written anywhere in the code and the docs the code ships. */
/** A source tag in running text; `S-EPT` is TDX's Secure EPT, a kernel term and not a tag. */
const TAG_IN_TEXT = /\bS-(?!EPT\b)[A-Z][A-Za-z0-9]*\b|\bS-\d+\b/g;

function tagsInCode(): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path);
      else if (/\.(ts|js|md)$/.test(name)) for (const m of readFileSync(path, 'utf8').matchAll(TAG_IN_TEXT)) if (!found.has(m[0])) found.set(m[0], path);
    }
  };
  for (const dir of ['machines', 'src', 'visualize']) visit(join(root, dir));
  for (const doc of ['DOMAIN.md', 'DESIGN.md', 'TRACE-FORMAT.md']) {
    for (const m of readFileSync(join(root, 'docs', doc), 'utf8').matchAll(TAG_IN_TEXT)) if (!found.has(m[0])) found.set(m[0], doc);
  }
  return found;
}

/**
 * The tags of the shared contract's DOMAIN.md Sources table (spec/DOMAIN.md section 11), which
 * the machines are being brought to cite, plus any table of that kind docs/DOMAIN.md carries.
 */
const CONTRACT_TAGS = ['S-ML', 'S-KVM', 'S-MM', 'S-V1', 'S-V2', 'S-V2c', 'S-V2h', 'S-V2t', 'S-V2g', 'S-V2r', 'S-W', 'S-Wh', 'S-W2', 'S-Y3', 'S-Y', 'S-IP4', 'S-IP6', 'S-IP8', 'S-IP13', 'S-IPt', 'S-TDX', 'S-SC', 'S-39'];
function domainTags(): string[] {
  const text = readFileSync(join(root, 'docs', 'DOMAIN.md'), 'utf8');
  return [...CONTRACT_TAGS, ...[...text.matchAll(/^\|\s*(S-[^|]+?)\s*\|/gm)].flatMap((m) => m[1]!.split(/,\s*/))];
}

describe('every state and transition cites its source', () => {
  it.each([
    ['range', rangeMachine as unknown as AnyStateMachine],
    ['folio', folioMachine as unknown as AnyStateMachine],
    ['block', createBlockMachine(2) as unknown as AnyStateMachine],
  ])('%s machine', (_, machine) => {
    expect(uncited(machine)).toEqual([]);
  });
});

describe('docs/SOURCES.md resolves every tag', () => {
  it('to a URL on lore or a repository at a commit or branch, a path and function names', () => {
    expect(sources.length).toBeGreaterThanOrEqual(23);
    for (const s of sources) {
      expect({ tag: s.tag, url: s.urls[0] }).toEqual({ tag: s.tag, url: expect.stringMatching(/^https:\/\/(lore\.kernel\.org\/all\/[^/\s]+\/|github\.com\/[\w.-]+\/[\w.-]+\/(blob|tree|commit)\/\S+)$/) });
      expect({ tag: s.tag, paths: s.paths.length > 0, functions: s.functions.length > 0 }).toEqual({ tag: s.tag, paths: true, functions: true });
    }
  });

  it('including every tag the code cites', () => {
    const missing = [...tagsInCode()].filter(([tag]) => !knownTags.has(tag)).map(([tag, where]) => `${tag} (${where})`);
    expect(missing).toEqual([]);
  });

  it("including every tag of DOMAIN.md's Sources table", () => {
    const tags = domainTags();
    expect(tags).toEqual(expect.arrayContaining(['S-ML', 'S-V2c', 'S-IP13', 'S-39']));
    expect(tags.filter((t) => !knownTags.has(t))).toEqual([]);
  });
});
