/** What the README shows is what the machines do. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyStateMachine } from 'xstate';
import { rangeMachine } from '../machines/range.machine';
import { toMermaid } from '../src/present/draw/mermaid';
import { walk } from './support/block-walk';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

it('the Mermaid diagram is the one drawn from the range machine now', () => {
  const embedded = readme.split(/%% range-diagram:begin[^\n]*\n/)[1]?.split('\n%% range-diagram:end')[0];
  expect(embedded).toBe(toMermaid(rangeMachine as unknown as AnyStateMachine));
});

it('the block walk in "How to read a transition" happens as drawn', () => {
  const example = readme.split('```\nstart')[1]!.split('```')[0]!;
  const steps = example.trim().split('\n').slice(1).map((line) => {
    const [op, picture] = line.split(/\s{2,}/);
    return [op!, picture!, line.includes('EAGAIN') ? 'EAGAIN' : undefined] as [string, string, string?];
  });
  expect(steps).toHaveLength(6);
  walk({ initial: 'private' }, steps);
});
