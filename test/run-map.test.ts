/**
 * RunMap (src/interpreter/run-map.ts): the per-page interval map. Examples
 * drawn as pages, then a fast-check property against a plain array of pages
 * (seeded from GMEM_SEED when set): after every operation every query agrees
 * and the runs are maximal (no two neighbours equal), as the maple tree keeps
 * them. Every example and the property run on both forms a map can take
 * (runs in a tree; a value per page, for small maps).
 */
import fc from 'fast-check';
import type { Run, RunMapForm } from '../src/interpreter/run-map';
import { RunMap } from '../src/interpreter/run-map';

/** The map drawn one character a page, e.g. `SSPPS`. */
const draw = (m: RunMap<string>) => [...m.runs()].map((r) => r.value.repeat(r.to - r.from)).join('');

describe.each<RunMapForm>(['runs', 'pages'])('RunMap examples (%s)', (form) => {
  it('a 1 GiB block of 4 KiB pages is one run; converting one page makes three; converting back makes one', () => {
    const pages = 262_144;
    const m = new RunMap(pages, 'P', form);
    expect(m.runCount).toBe(1);
    m.set(1000, 1001, 'S');
    expect(m.runCount).toBe(3);
    expect([...m.runs()]).toEqual([
      { from: 0, to: 1000, value: 'P' },
      { from: 1000, to: 1001, value: 'S' },
      { from: 1001, to: pages, value: 'P' },
    ]);
    expect(m.count('S')).toBe(1);
    expect(m.count('P')).toBe(pages - 1);
    m.set(1000, 1001, 'P');
    expect(m.runCount).toBe(1);
    expect(m.counts()).toEqual(new Map([['P', pages]]));
  });

  it('splits and merges at both ends', () => {
    const m = new RunMap(8, 'P', form);
    m.set(2, 4, 'S');
    m.set(5, 7, 'S');
    expect(draw(m)).toBe('PPSSPSSP');
    m.set(4, 5, 'S');
    expect(draw(m)).toBe('PPSSSSSP');
    expect(m.runCount).toBe(3);
    m.set(0, 8, 'x');
    expect(m.runCount).toBe(1);
  });

  it('update maps each run once and coalesces what becomes equal', () => {
    const m = new RunMap(10, 0, form);
    m.set(3, 6, 1);
    const seen: Array<Run<number>> = [];
    m.update(2, 8, (v, run) => {
      seen.push(run);
      return v + 1;
    });
    expect(seen).toEqual([
      { from: 2, to: 3, value: 0 },
      { from: 3, to: 6, value: 1 },
      { from: 6, to: 8, value: 0 },
    ]);
    expect([...m.runs()].map((r) => [r.from, r.to, r.value])).toEqual([[0, 2, 0], [2, 3, 1], [3, 6, 2], [6, 8, 1], [8, 10, 0]]);
    m.update(0, 10, (v) => (v === 2 ? 1 : v));
    expect([...m.runs()].map((r) => [r.from, r.to, r.value])).toEqual([[0, 2, 0], [2, 8, 1], [8, 10, 0]]);
  });

  it('queries over part of the map clip the runs', () => {
    const m = new RunMap(10, 'a', form);
    m.set(4, 7, 'b');
    expect([...m.runs(5, 9)]).toEqual([{ from: 5, to: 7, value: 'b' }, { from: 7, to: 9, value: 'a' }]);
    expect(m.count('a', 3, 8)).toBe(2);
    expect(m.counts(3, 8)).toEqual(new Map([['a', 2], ['b', 3]]));
    expect(m.every(4, 7, 'b')).toBe(true);
    expect(m.every(4, 8, 'b')).toBe(false);
    expect(m.nextWith('b')).toBe(4);
    expect(m.nextWith('b', 7)).toBeUndefined();
    expect(m.nextWithout('b', 5)).toBe(7);
    expect(m.runAt(5)).toEqual({ from: 4, to: 7, value: 'b' });
  });

  it('a clone is independent of later changes to either side', () => {
    const m = new RunMap(6, 0, form);
    m.set(1, 3, 1);
    const c = m.clone();
    m.set(0, 6, 2);
    c.set(4, 5, 3);
    expect([...c.runs()].map((r) => r.value)).toEqual([0, 1, 0, 3, 0]);
    expect(m.count(2)).toBe(6);
    expect(c.count(2)).toBe(0);
    expect(c.equals(m)).toBe(false);
    expect(m.clone().equals(m)).toBe(true);
  });

  it('a file of 2^34 pages costs its runs, not its pages', () => {
    const pages = 2 ** 34;
    const m = new RunMap(pages, 0, form);
    for (let i = 0; i < 1000; i++) m.set(i * 2 ** 24 + 7, i * 2 ** 24 + 9, 1);
    expect(m.runCount).toBe(2001);
    expect(m.count(1)).toBe(2000);
    expect(m.get(pages - 1)).toBe(0);
  });

  it('refuses pages and ranges outside the map', () => {
    const m = new RunMap(4, 0, form);
    expect(() => m.get(4)).toThrow(RangeError);
    expect(() => m.set(3, 5, 1)).toThrow('range [3, 5) is not within [0, 4)');
    expect(() => m.set(2, 1, 1)).toThrow(RangeError);
    expect(() => new RunMap(-1, 0, form)).toThrow(RangeError);
    expect(new RunMap(0, 0, form).runCount).toBe(0);
  });
});

type Op =
  | { kind: 'set'; from: number; to: number; value: number }
  | { kind: 'update'; from: number; to: number; add: number }
  | { kind: 'clone' };

const seed = process.env['GMEM_SEED'] ? Number(process.env['GMEM_SEED']) : undefined;

describe.each<RunMapForm>(['runs', 'pages'])('RunMap against a plain array of pages (%s)', (form) => {
  const LENGTH = 40;
  const range = fc.tuple(fc.nat(LENGTH), fc.nat(LENGTH)).map(([a, b]): readonly [number, number] => (a <= b ? [a, b] : [b, a]));
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(range, fc.nat(3)).map(([[from, to], value]) => ({ kind: 'set' as const, from, to, value })) },
    { weight: 3, arbitrary: fc.tuple(range, fc.integer({ min: -1, max: 2 })).map(([[from, to], add]) => ({ kind: 'update' as const, from, to, add })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'clone' as const }) },
  );

  /** Everything the map answers for a query range, as plain data. */
  function answers(m: RunMap<number>, q: readonly [number, number]) {
    const [from, to] = q;
    const runs = [...m.runs()];
    const values = [-1, 0, 1, 2, 3, 4];
    return {
      pages: runs.flatMap((r) => Array(r.to - r.from).fill(r.value)),
      maximal: runs.every((r, i) => i === 0 || (r.from === runs[i - 1]!.to && r.value !== runs[i - 1]!.value)),
      runCount: m.runCount,
      get: Array.from({ length: m.length }, (_, p) => m.get(p)),
      count: values.map((v) => m.count(v)),
      countPart: values.map((v) => m.count(v, from, to)),
      nextWith: values.map((v) => m.nextWith(v, from, to)),
      nextWithout: values.map((v) => m.nextWithout(v, from, to)),
      every: values.map((v) => m.every(from, to, v)),
      counts: [...m.counts(from, to)].sort(),
      part: [...m.runs(from, to)].flatMap((r) => Array(r.to - r.from).fill(r.value)),
    };
  }

  /** The same, computed from the array. */
  function expected(model: number[], q: readonly [number, number]) {
    const [from, to] = q;
    const part = model.slice(from, to);
    const values = [-1, 0, 1, 2, 3, 4];
    const runCount = model.filter((x, i) => i === 0 || x !== model[i - 1]).length;
    const counts = new Map<number, number>();
    for (const x of part) counts.set(x, (counts.get(x) ?? 0) + 1);
    const at = (i: number) => (i < 0 ? undefined : from + i);
    return {
      pages: model,
      maximal: true,
      runCount,
      get: model,
      count: values.map((v) => model.filter((x) => x === v).length),
      countPart: values.map((v) => part.filter((x) => x === v).length),
      nextWith: values.map((v) => at(part.indexOf(v))),
      nextWithout: values.map((v) => at(part.findIndex((x) => x !== v))),
      every: values.map((v) => part.every((x) => x === v)),
      counts: [...counts].sort(),
      part,
    };
  }

  function agree(m: RunMap<number>, model: number[], q: readonly [number, number]): void {
    expect(answers(m, q)).toEqual(expected(model, q));
  }

  it('agrees after every set, update and clone, and reports exactly the pages that changed', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(op, range), { maxLength: 25 }), (ops) => {
        let m = new RunMap(LENGTH, 0, form);
        let model: number[] = Array(LENGTH).fill(0);
        const kept: Array<[RunMap<number>, number[]]> = [];
        for (const [o, q] of ops) {
          // What the map reports as changed, page by page, against what the array says changed.
          const reported: Array<[number, number, number]> = [];
          const onChange = (from: number, to: number, old: number, value: number) => {
            expect(m.get(from)).toBe(value);
            for (let p = from; p < to; p++) reported.push([p, old, value]);
          };
          const was = model.slice();
          if (o.kind === 'set') {
            m.set(o.from, o.to, o.value, onChange);
            model.fill(o.value, o.from, o.to);
          } else if (o.kind === 'update') {
            m.update(o.from, o.to, (v) => v + o.add, onChange);
            for (let p = o.from; p < o.to; p++) model[p]! += o.add;
          } else {
            kept.push([m, model.slice()]);
            m = m.clone();
            model = model.slice();
          }
          agree(m, model, q);
          const changed = model.flatMap((v, p) => (v !== was[p] ? [[p, was[p]!, v] as [number, number, number]] : []));
          expect(reported).toEqual(changed);
        }
        // Clones taken along the way were left alone by what came after.
        for (const [old, oldModel] of kept) agree(old, oldModel, [0, LENGTH]);
      }),
      { numRuns: 200, ...(seed !== undefined ? { seed } : {}) },
    );
  });
});
