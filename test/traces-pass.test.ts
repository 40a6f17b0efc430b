/**
 * The project's traces (test/traces, its examples) and the shared examples
 * beside the repository pass on the simulator, in-process: every expected
 * errno, outcome, check and declared violation of each. Kept apart from the
 * command's tests (replay.test.ts) so that mutation testing runs these
 * against each mutant of the core.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadTrace, runTrace } from '../src/trace/replay';

const root = join(__dirname, '..');
const jsonIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f)) : []);
const ours = [...jsonIn(join(__dirname, 'traces')), ...jsonIn(join(__dirname, 'traces', 'examples'))];
// The shared examples beside the repository, when it sits in the workspace (CI does).
const shared = jsonIn(join(root, '..', 'shared', 'traces'));

describe('traces that must pass', () => {
  it('there are at least 20 of our own', () => {
    expect(jsonIn(join(__dirname, 'traces')).length).toBeGreaterThanOrEqual(20);
  });
  it.each([...ours, ...shared].map((f) => [f.slice(root.length + 1), f]))('%s', (_, file) => {
    const loaded = loadTrace(file);
    if (!loaded.ok) throw new Error(loaded.message);
    const result = runTrace(loaded.trace);
    expect(result.failure).toBeUndefined();
    expect(result.pass).toBe(true);
  });
});
