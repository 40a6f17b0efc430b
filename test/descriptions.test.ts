/**
 * The spec is the code: every state node and every transition of every
 * machine carries a description that quotes the deck or cites a source tag,
 * and every S- tag resolves in docs/SOURCES.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { createBlockMachine } from '../machines/block.machine';
import { folioMachine } from '../machines/folio.machine';
import { rangeMachine } from '../machines/range.machine';

const CITATION = /\b(S-[A-Za-z0-9]+|[Dd]eck|INV-\d+|DOMAIN \d+|TRACE-FORMAT)\b/;
const sourcesTable = readFileSync(join(__dirname, '..', 'docs', 'SOURCES.md'), 'utf8');
const knownTags = new Set([...sourcesTable.matchAll(/^\|\s*(S-[A-Za-z0-9]+)\s*\|/gm)].map((m) => m[1]));

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

describe('every state and transition cites its source', () => {
  it('docs/SOURCES.md has the tags', () => {
    expect(knownTags.size).toBeGreaterThanOrEqual(15);
  });
  it.each([
    ['range', rangeMachine as unknown as AnyStateMachine],
    ['folio', folioMachine as unknown as AnyStateMachine],
    ['block', createBlockMachine(2) as unknown as AnyStateMachine],
  ])('%s machine', (_, machine) => {
    expect(uncited(machine)).toEqual([]);
  });
});
