/**
 * DOMAIN 7.3: each known kernel defect K1-K11 has a trace in test/traces/
 * that shows the break on its variant and is excused by expectViolation;
 * the same trace without expectViolation fails naming the invariant, and on
 * a tree without the defect the violation is not excused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSources } from '../src/present/draw/sources';
import { loadTrace, runTrace } from '../src/trace/replay';
import type { Trace } from '../src/trace/schema';
import { DEFAULT_POLICY } from '../machines/policy';
import { defectInvariants, excusable, excusedInWalk, expectedBreaks, KNOWN_DEFECTS } from '../machines/expectations';

const SOURCE_TAGS = new Set(parseSources(readFileSync(join(__dirname, '..', 'docs', 'SOURCES.md'), 'utf8')).map((s) => s.tag));

const load = (name: string): Trace => {
  const loaded = loadTrace(join(__dirname, 'traces', `${name}.json`));
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.trace;
};

describe.each(KNOWN_DEFECTS.map((d) => [d.id, d] as const))('%s', (_id, defect) => {
  const trace = load(defect.trace);

  it(`its trace runs on ${defect.variants[0]} and declares ${defect.invariant}`, () => {
    expect(trace.config?.variant ?? 'rfc-v2').toBe(defect.variants[0]);
    // A defect may take another excused break with it (K9's merge also changes a folio of the failed unit: INV-12).
    expect(([] as string[]).concat(trace.expectViolation ?? [])).toContain(defect.invariant);
    expect(trace.steps.some((s) => s.op === 'inject')).toBe(defect.inject);
    expect(trace.description).toContain(defect.id);
  });

  it('cites its source by a tag docs/SOURCES.md resolves and a function, and says what goes wrong', () => {
    const tags = defect.source.match(/\bS-[A-Za-z0-9]+/g) ?? [];
    expect(tags.length).toBeGreaterThan(0);
    for (const tag of tags) expect(SOURCE_TAGS.has(tag)).toBe(true);
    // A function, a cover letter's item or a commit.
    expect(defect.source).toMatch(/`[a-z_0-9]+`|cover|\(\d\)|\b[0-9a-f]{8}\b/);
    expect(defect.scenario.length).toBeGreaterThan(40);
  });

  it('passes with the break excused, and the break carries the defect id', () => {
    const result = runTrace(trace);
    expect(result.failure).toBeUndefined();
    expect(result.excused.map((v) => v.invariant)).toContain(defect.invariant);
    expect(result.excused.some((v) => v.defect === defect.id)).toBe(true);
  });

  it(`fails naming ${defect.invariant} without expectViolation`, () => {
    const { expectViolation: _, ...bare } = trace;
    const result = runTrace(bare);
    expect(result.pass).toBe(false);
    expect(result.failure!.actual).toMatch(new RegExp(`^${defect.invariant} violated`));
  });
});

it('every defect of the contract is listed once, with the pairs TRACE-FORMAT "Policies" excuses', () => {
  expect(KNOWN_DEFECTS.map((d) => d.id)).toEqual(['K1', 'K2', 'K3', 'K4', 'K5', 'K6', 'K7', 'K8', 'K9', 'K10', 'K11']);
  // The functions replay and the walks excuse by, not a second reading of the table.
  const pairs = (inject: boolean) =>
    Object.fromEntries((['rfc-v2', 'wip-2025-12', 'tdx-huge-v3', 'inplace-v13', 'inplace-v8'] as const).map((v) => [v, [...defectInvariants(v, inject)].sort()]));
  expect(pairs(false)).toEqual({ 'rfc-v2': ['INV-6', 'INV-9'], 'wip-2025-12': ['INV-3', 'INV-9'], 'tdx-huge-v3': ['INV-9'], 'inplace-v13': [], 'inplace-v8': ['INV-9'] });
  expect(pairs(true)).toEqual({ 'rfc-v2': ['INV-12', 'INV-14', 'INV-2', 'INV-6', 'INV-9'], 'wip-2025-12': ['INV-2', 'INV-3', 'INV-9'], 'tdx-huge-v3': ['INV-12', 'INV-2', 'INV-9'], 'inplace-v13': [], 'inplace-v8': ['INV-9'] });
});

it('a setting excuses its policies\' invariants and its tree\'s defects; a walk excuses a defect\'s only when the defect is tagged', () => {
  const lazyReset = { ...DEFAULT_POLICY, split: 'lazy' as const, afterTruncate: 'reset' as const };
  expect([...excusable({ variant: 'inplace-v13', policy: DEFAULT_POLICY }, true)]).toEqual([]);
  expect([...excusable({ variant: 'inplace-v13', policy: lazyReset }, false)].sort()).toEqual(['INV-2', 'INV-4', 'INV-6']);
  expect([...excusable({ variant: 'tdx-huge-v3', policy: { ...DEFAULT_POLICY, restore: 'inode-held' } }, false)].sort()).toEqual(['INV-10', 'INV-9']);
  const walk = excusedInWalk({ variant: 'rfc-v2', policy: { ...DEFAULT_POLICY, afterTruncate: 'reset' } }, false);
  expect(walk({ invariant: 'INV-6' })).toBe(true);
  expect(walk({ invariant: 'INV-9' })).toBe(false);
  expect(walk({ invariant: 'INV-9', defect: 'K2' })).toBe(true);
  expect(walk({ invariant: 'INV-12', defect: 'K1' })).toBe(false);
  expect(excusedInWalk({ variant: 'rfc-v2', policy: DEFAULT_POLICY }, true)({ invariant: 'INV-12', defect: 'K1' })).toBe(true);
  expect(excusedInWalk({ variant: 'inplace-v13', policy: DEFAULT_POLICY }, true)({ invariant: 'INV-9', defect: 'K2' })).toBe(false);
});

it('the explorer expects a setting\'s defects shown in its scope and its policies\' breaks, each with its reason', () => {
  const lazyDefer = { ...DEFAULT_POLICY, split: 'lazy' as const, truncateWhilePinned: 'defer' as const };
  expect(expectedBreaks({ variant: 'inplace-v13', vmType: 'sw-protected', policy: lazyDefer }, 1)).toEqual([
    { invariant: 'INV-2', because: 'split: lazy' },
    { invariant: 'INV-4', because: 'split: lazy' },
  ]);
  expect(expectedBreaks({ variant: 'inplace-v13', vmType: 'tdx', policy: DEFAULT_POLICY }, 2)).toEqual([]);
  const rfc = expectedBreaks({ variant: 'rfc-v2', vmType: 'sw-protected', policy: { ...DEFAULT_POLICY, afterTruncate: 'reset' } }, 1);
  expect(rfc).toContainEqual({ invariant: 'INV-6', because: 'afterTruncate: reset' });
  expect(rfc).toContainEqual({ invariant: 'INV-14', because: 'K10 (inject)', defect: 'K10' });
  // K1 needs a second block (its shortest trigger that returns starts in block 1), so a one-block scope does not expect it.
  expect(rfc.filter((e) => e.defect).map((e) => e.defect)).toEqual(['K2', 'K3', 'K8', 'K10']);
  expect(expectedBreaks({ variant: 'rfc-v2', vmType: 'sw-protected', policy: DEFAULT_POLICY }, 2).map((e) => e.defect)).toEqual(['K1', 'K2', 'K3', 'K8', 'K10']);
});

it('K11 shows only under tdx: the same trace on sw-protected keeps page 0 and breaks nothing', () => {
  const trace = load('k11-inplace-v8-tdx-mixed-to-private-removes-private-pages');
  const { expectViolation: _, ...bare } = trace;
  const result = runTrace({ ...bare, config: { ...trace.config, vmType: 'sw-protected' }, steps: bare.steps.slice(0, -1) });
  expect(result.failure).toBeUndefined();
  expect(result.excused).toEqual([]);
});

it('a defect is excused only on its own tree: the K4 trace on tdx-huge-v3 merges, and declaring INV-3 there fails', () => {
  const trace = load('k4-wip-to-private-never-merges');
  const result = runTrace({ ...trace, config: { ...trace.config, variant: 'tdx-huge-v3' } });
  expect(result.pass).toBe(false);
});
