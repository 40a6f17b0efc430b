/**
 * The seen-state set (src/explore/seen-states.ts): exact encodings up to a
 * bound, fingerprints past it (TLC's FPSet), with the collision odds; a
 * search that switches reports what an exact one does.
 */
import { DEFAULT_POLICY } from '../machines/policy';
import { explore } from '../src/explore/search';
import { SeenStates } from '../src/explore/seen-states';

describe('SeenStates', () => {
  it('keeps encodings exactly up to the bound, then fingerprints, and answers alike on both sides of the switch', () => {
    const seen = new SeenStates(100);
    const keys = Array.from({ length: 5000 }, (_, i) => `state-${i}-${'x'.repeat(i % 7)}`);
    keys.slice(0, 100).forEach((k, i) => expect(seen.add(k, i)).toBe(true));
    expect(seen.fingerprintedAfter).toBeUndefined();
    expect(seen.collisionOdds()).toBe(0);
    keys.slice(100).forEach((k, i) => expect(seen.add(k, 100 + i)).toBe(true));
    expect(seen.fingerprintedAfter).toBe(101);
    // Every state added before or after the switch is seen again, and none twice.
    for (const k of keys) expect(seen.add(k, -1)).toBe(false);
    expect(seen.size).toBe(5000);
    const ids = [...seen.fingerprints()].map(([, id]) => id).sort((a, b) => a - b);
    expect(ids).toEqual(keys.map((_, i) => i));
    expect(seen.collisionOdds()).toBeCloseTo(5000 ** 2 / 2 ** 54, 20);
    expect(seen.collisionOdds()).toBeGreaterThan(0);
  });
});

it('a search that keeps fingerprints past a bound reports what an exact one does, and says so', async () => {
  const setting = { variant: 'rfc-v2' as const, vmType: 'sw-protected' as const, policy: DEFAULT_POLICY };
  const scope = { blocks: 1, pages: 2, processes: 1, pins: 1, values: 1, depth: 4 };
  const exact = await explore(setting, scope);
  const fingerprinted = await explore(setting, scope, { exactStates: 50 });
  expect(exact.fingerprinted).toBeUndefined();
  expect(fingerprinted.fingerprinted).toEqual({ after: 51, collisionOdds: expect.any(Number) });
  expect(fingerprinted.fingerprinted!.collisionOdds).toBeLessThan(1e-6);
  const shape = (r: typeof exact) => ({ states: r.states, transitions: r.transitions, depth: r.depthReached, findings: r.findings });
  expect(shape(fingerprinted)).toEqual(shape(exact));
  expect(exact.findings.length).toBeGreaterThan(0);
});
