/**
 * Each finding of the fidelity audit (D1-D17) is pinned by at least one
 * trace that passes, names the finding in its description, and cites the
 * kernel function the table gives.
 */
import { join } from 'node:path';
import { loadTrace, runTrace } from '../src/trace/replay';
import { AUDIT_FINDINGS } from './support/fidelity-audit';

it('covers D1 to D17', () => {
  expect(AUDIT_FINDINGS.map((f) => f.id)).toEqual(Array.from({ length: 17 }, (_, i) => `D${i + 1}`));
});

describe.each(AUDIT_FINDINGS.map((f) => [f.id, f] as const))('%s', (id, finding) => {
  it.each(finding.traces)('%s passes and names the finding', (name) => {
    const loaded = loadTrace(join(__dirname, 'traces', `${name}.json`));
    if (!loaded.ok) throw new Error(loaded.message);
    expect(loaded.trace.description).toMatch(new RegExp(`\\b${id}\\b`));
    const result = runTrace(loaded.trace);
    expect(result.failure).toBeUndefined();
  });
});
