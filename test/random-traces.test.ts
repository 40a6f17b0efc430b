/**
 * The seeded random mainline-6.12 traces of `npm run test:kernel`
 * (src/kernel-run/random-traces.ts): the same seed writes the same traces,
 * another seed others, and every trace passes on the model it was filled from,
 * without the accesses the model and 6.12 are known to disagree on.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRandomTraces } from '../src/kernel-run/random-traces';
import { loadTrace, runTrace } from '../src/trace/replay';

const dir = () => mkdtempSync(join(tmpdir(), 'gmem-random-'));
const texts = (paths: string[]) => paths.map((p) => readFileSync(p, 'utf8'));

it('a seed gives the same traces, another seed others', () => {
  const a = texts(writeRandomTraces(dir(), 20, 7));
  expect(a).toHaveLength(20);
  expect(texts(writeRandomTraces(dir(), 20, 7))).toEqual(a);
  expect(texts(writeRandomTraces(dir(), 20, 8))).not.toEqual(a);
});

it('every trace is valid, passes on the model, and has no access past the end or to a shared page after unbind', () => {
  for (const path of writeRandomTraces(dir(), 50, 1)) {
    const loaded = loadTrace(path);
    if (!loaded.ok) throw new Error(loaded.message);
    expect(runTrace(loaded.trace).pass).toBe(true);
    const size = loaded.trace.steps.find((s) => s.op === 'create' && s.expect === 'ok');
    for (const s of loaded.trace.steps) {
      if ((s.op === 'guestRead' || s.op === 'guestWrite') && size?.op === 'create') expect(s.offset).toBeLessThan(size.size);
    }
  }
});
