/**
 * Symmetry reduction (src/explore/symmetry.ts): states that differ only by a
 * renaming of the processes or of the written values encode alike, the
 * relabellings compose and invert, and a reduced search reports what the
 * full one does (the same invariants and defects broken, with shortest
 * counterexamples of the same lengths, every one replaying), over fewer
 * states.
 */
import { DEFAULT_POLICY } from '../machines/policy';
import { takeStep } from '../src/engine/step';
import { buildModel } from '../src/explore/expand';
import type { Scope, Step } from '../src/explore/operations';
import { report } from '../src/explore/run';
import { explore } from '../src/explore/search';
import { variantSettings } from '../src/explore/settings';
import { encode, encodeReduced, rootSimulator } from '../src/explore/state-codec';
import { compose, identity, invert, packRelabel, relabelStep, symmetryGroup, unpackRelabel } from '../src/explore/symmetry';

const group = symmetryGroup(3, 3)!;

describe('relabellings', () => {
  const all = group.processPerms.flatMap((process) => symmetryGroup(3, 3)!.processPerms.map((value) => ({ process, value })));

  it('pack to one number and back, identity to 0', () => {
    expect(all).toHaveLength(36);
    expect(new Set(all.map((r) => packRelabel(group, r))).size).toBe(36);
    for (const r of all) expect(unpackRelabel(group, packRelabel(group, r))).toEqual(r);
    expect(packRelabel(group, identity(group))).toBe(0);
  });

  it('compose and invert as permutations do', () => {
    for (const a of all) {
      expect(compose(a, invert(a))).toEqual(identity(group));
      for (const b of all.slice(0, 6)) expect(invert(compose(a, b))).toEqual(compose(invert(b), invert(a)));
    }
  });

  it('rename a step\'s process and written value, and nothing else', () => {
    const swap = { process: [1, 0, 2], value: [2, 0, 1] };
    expect(relabelStep({ op: 'hostWrite', offset: 16, length: 16, fill: '11', process: 1 }, swap)).toEqual({ op: 'hostWrite', offset: 16, length: 16, fill: '33' });
    expect(relabelStep({ op: 'pin', offset: 0 }, swap)).toEqual({ op: 'pin', offset: 0, process: 1 });
    expect(relabelStep({ op: 'guestWrite', offset: 0, length: 16, fill: '22' }, swap)).toEqual({ op: 'guestWrite', offset: 0, length: 16, fill: '11' });
    expect(relabelStep({ op: 'convert', offset: 0, length: 16, to: 'shared' }, swap)).toEqual({ op: 'convert', offset: 0, length: 16, to: 'shared' });
  });
});

describe('the reduced encoding', () => {
  const scope: Scope = { blocks: 1, pages: 2, processes: 2, pins: 1, values: 2, depth: 4, symmetry: true };
  const model = buildModel({ variant: 'rfc-v2', vmType: 'sw-protected', policy: DEFAULT_POLICY }, scope);
  const run = (steps: Step[]) => {
    const sim = rootSimulator(model.setup);
    for (const s of steps) expect(takeStep(sim, s).outcome?.kind).toBe('ok');
    return sim;
  };
  const create: Step = { op: 'create', size: 32, flags: ['mmap', 'init-shared', 'hugetlb'] };

  it('is one for states that differ by the processes\' names', () => {
    const a = run([create, { op: 'hostWrite', offset: 0, length: 16, fill: '11' }, { op: 'pin', offset: 16, process: 1 }]);
    const b = run([create, { op: 'hostWrite', offset: 0, length: 16, fill: '11', process: 1 }, { op: 'pin', offset: 16 }]);
    expect(encode(a)).not.toBe(encode(b));
    const [ra, rb] = [encodeReduced(a, model.group!), encodeReduced(b, model.group!)];
    expect(ra.encoding).toBe(rb.encoding);
    // Each relabelling takes its state's names to the canonical ones: a's process 0 and b's process 1 are the same canonical process.
    expect(ra.relabel.process[0]).toBe(rb.relabel.process[1]);
  });

  it('is one for states that differ by the values written, and tells apart states that differ otherwise', () => {
    const a = run([create, { op: 'hostWrite', offset: 0, length: 16, fill: '22' }, { op: 'hostWrite', offset: 16, length: 16, fill: '11' }]);
    const b = run([create, { op: 'hostWrite', offset: 0, length: 16, fill: '11' }, { op: 'hostWrite', offset: 16, length: 16, fill: '22' }]);
    const same = run([create, { op: 'hostWrite', offset: 0, length: 16, fill: '11' }, { op: 'hostWrite', offset: 16, length: 16, fill: '11' }]);
    expect(encode(a)).not.toBe(encode(b));
    expect(encodeReduced(a, model.group!).encoding).toBe(encodeReduced(b, model.group!).encoding);
    expect(encodeReduced(same, model.group!).encoding).not.toBe(encodeReduced(a, model.group!).encoding);
  });

  it('is not used under a seeded fault (one singles out process 0)', () => {
    expect(buildModel({ variant: 'rfc-v2', vmType: 'sw-protected', policy: DEFAULT_POLICY, faults: ['to-private-forgets-other-processes'] }, scope).group).toBeUndefined();
  });
});

/** What a search reports: each finding key with its shortest counterexample's length. */
const verdicts = (r: Awaited<ReturnType<typeof explore>>) => r.findings.map((f) => `${f.invariant}${f.defect ? `/${f.defect}` : ''}: ${f.steps.length}`).sort();

describe('a reduced search reports what the full one does, over fewer states', () => {
  // Every known defect the start scope finds within four steps: K2, K3, K8, K10; K4, K5, K6; K7; K11.
  const settings = variantSettings().filter((s) => ['rfc-v2 sw-protected', 'wip-2025-12 sw-protected', 'tdx-huge-v3 tdx', 'inplace-v8 tdx'].includes(`${s.variant} ${s.vmType}`));
  it.each(settings.map((s) => [`${s.variant} ${s.vmType}`, s] as const))('%s, one block, depth 4', async (_, setting) => {
    const scope: Scope = { blocks: 1, pages: 2, processes: 2, pins: 1, values: 1, depth: 4 };
    const [full, reduced] = [await explore(setting, scope), await explore(setting, { ...scope, symmetry: true })];
    expect(verdicts(reduced)).toEqual(verdicts(full));
    expect(verdicts(full).length).toBeGreaterThan(0);
    expect(reduced.states).toBeLessThan(full.states);
    // Every reduced counterexample is rebuilt in the first state's names and replays to its break.
    expect(report(reduced).counterexamples.every((c) => c.reproduced)).toBe(true);
  }, 60_000);

  it('with two values and two processes (rfc-v2 sw-protected, depth 4)', async () => {
    const setting = { variant: 'rfc-v2' as const, vmType: 'sw-protected' as const, policy: DEFAULT_POLICY };
    const scope: Scope = { blocks: 1, pages: 2, processes: 2, pins: 1, values: 2, depth: 4 };
    const [full, reduced] = [await explore(setting, scope), await explore(setting, { ...scope, symmetry: true })];
    expect(verdicts(reduced)).toEqual(verdicts(full));
    expect(reduced.states * 2).toBeLessThan(full.states);
    expect(report(reduced).counterexamples.every((c) => c.reproduced)).toBe(true);
  }, 60_000);
});
