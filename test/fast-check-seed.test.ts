/** fast-check takes its seed from GMEM_SEED and names it when a property fails. */
import fc from 'fast-check';
import { installSeed, seedFrom } from './support/fast-check-seed';

describe('GMEM_SEED', () => {
  afterEach(() => installSeed(seedFrom(process.env)));

  it('is read as an integer; a malformed one is a clear error', () => {
    expect(seedFrom({ GMEM_SEED: '12345' })).toBe(12345);
    expect(seedFrom({ GMEM_SEED: '-7' })).toBe(-7);
    expect(() => seedFrom({ GMEM_SEED: 'abc' })).toThrow("GMEM_SEED must be an integer, got 'abc'");
    expect(Number.isInteger(seedFrom({}))).toBe(true);
  });

  it('is the seed every property runs with', () => {
    installSeed(4242);
    expect(fc.readConfigureGlobal().seed).toBe(4242);
    const draw = () => fc.sample(fc.integer(), { numRuns: 5, seed: fc.readConfigureGlobal().seed });
    const seen: number[] = [];
    fc.assert(fc.property(fc.integer(), (n) => void seen.push(n)), { numRuns: 5 });
    installSeed(4242);
    const again: number[] = [];
    fc.assert(fc.property(fc.integer(), (n) => void again.push(n)), { numRuns: 5 });
    expect(again).toEqual(seen);
    expect(draw()).toEqual(draw());
  });

  it('a failing property names the seed and the command that reproduces it', () => {
    installSeed(777);
    let message = '';
    try {
      fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), (n) => n < 50));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/Property failed/);
    expect(message).toMatch(/fast-check seed 777\. Reproduce with: GMEM_SEED=777 npx jest .*fast-check-seed\.test\.ts$/);
  });
});
