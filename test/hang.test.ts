/**
 * INV-14 (liveness) and the `"HANG"` outcome end to end (TRACE-FORMAT expect,
 * replay, Validity; DOMAIN 9 INV-14, 7.3 K10): the schema takes "HANG" on the
 * last step only; a step that never returns ends the replay, breaks INV-14
 * and nothing else at its step; steps after it fail the trace; excusal
 * follows the known-defects table; the reports, the explorer, the viewer and
 * the selftest emitter each say the step never returns. The hang comes from
 * the simulator: K10 on rfc-v2, a split failure whose rollback starts in block 0.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { asTestResult, render, withFailurePictures } from '../src/present/report/replay-report';
import { replayFiles } from '../src/trace/replay-files';
import { renderReports, toJson } from '../src/present/report/explore-report';
import { buildModel, expand } from '../src/explore/expand';
import { explore } from '../src/explore/search';
import { report } from '../src/explore/run';
import { rootSimulator, encode } from '../src/explore/state-codec';
import { Simulator } from '../src/interpreter/simulator';
import { hang } from '../src/interpreter/outcome';
import { toJunit } from '../src/present/report/junit';
import { toKtap } from '../src/present/report/ktap';
import { emitSelftest, HANG_REFUSAL } from '../src/selftest/emit';
import { configOf, loadTrace, runTrace } from '../src/trace/replay';
import { takeStep } from '../src/engine/step';
import type { Trace } from '../src/trace/schema';
import { stepsOf } from '../src/present/view/viewer-sources';
import { Ledger } from '../src/walk/coverage';
import { INVARIANT_KIND, recordInvariants } from '../src/walk/invariant-coverage';
import { INVARIANTS, INVARIANT_NAMES } from '../machines/invariants';

/** Why the K10 conversion below never returns (src/interpreter/ops/convert.ts). */
const K10_REASON = 'the split of block 0 failed and the rollback of a work item starting in block 0 never ends (unsigned index >= start: K10)';


const dir = mkdtempSync(join(tmpdir(), 'gmem-hang-'));

/** rfc-v2, two blocks of two pages: a huge private leaf in block 0, a split failure armed, then a to-shared conversion of page 0. */
const prefix: Trace['steps'] = [
  { op: 'create', size: 64, flags: ['mmap', 'hugetlb'], expect: 'ok' },
  { op: 'guestWrite', offset: 0, data: '01', expect: 'ok' },
  { op: 'inject', fault: 'split-enomem', expect: 'ok' },
];
const hanging = { op: 'convert' as const, offset: 0, length: 16, to: 'shared' as const };
const trace = (steps: Trace['steps'], extra: Partial<Trace> = {}): Trace => ({
  format: 'gmem-trace/1',
  name: 'k10-from-block-0',
  config: { variant: 'rfc-v2', vmType: 'sw-protected', pageSize: 16, hugePageSize: 32 },
  steps,
  ...extra,
});
const k10 = trace([...prefix, { ...hanging, expect: 'HANG' }], { expectViolation: 'INV-14' });
const file = (name: string, t: Trace): string => {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(t));
  return path;
};

describe('INV-14 is an invariant like the others', () => {
  it('is listed with its gloss, after INV-13', () => {
    expect(INVARIANT_NAMES[INVARIANT_NAMES.length - 1]).toBe('INV-14');
    expect(INVARIANTS['INV-14']).toMatch(/^liveness: every operation returns/);
  });

  it('hang() builds the outcome', () => {
    expect(hang('spins')).toEqual({ kind: 'hang', reason: 'spins' });
  });
});

describe('the schema', () => {
  it('takes "HANG" on the last step, and INV-14 in expectViolation', () => {
    const loaded = loadTrace(file('ok', k10));
    expect(loaded.ok).toBe(true);
  });

  it('refuses "HANG" on any other step, naming $.steps[i].expect', () => {
    const loaded = loadTrace(file('early', trace([...prefix, { ...hanging, expect: 'HANG' }, { op: 'settle', expect: 'ok' }])));
    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.message).toMatch(/^INVALID FILE: .*early\.json: \$\.steps\[3\]\.expect: "HANG" \(the operation never returns\) is allowed only on the last step/);
  });

  it('a check cannot expect "HANG"', () => {
    const loaded = loadTrace(file('check', trace([prefix[0]!, { op: 'check', expect: 'HANG' as never }])));
    expect(!loaded.ok && loaded.message).toMatch(/\$\.steps\[1\]\.expect: /);
  });
});

describe('replay', () => {
  it('a trace ending in the hang it expects passes, INV-14 excused by K10, and nothing else is checked at that step', () => {
    const r = runTrace(k10);
    expect(r.failure).toBeUndefined();
    expect(r.pass).toBe(true);
    expect(r.hang).toEqual({ step: 3, op: 'convert', reason: K10_REASON });
    // The real conversion zapped the huge leaf before its split failed (K1, INV-12): unobservable once it hangs.
    expect(r.excused).toEqual([{ invariant: 'INV-14', where: 'convert', detail: `the operation never returns: ${K10_REASON}`, defect: 'K10' }]);
  });

  it('the same step that returns (a request from block 1) breaks INV-12 (K1), not INV-14: the rollback hangs only from block 0', () => {
    const r = runTrace(trace([prefix[0]!, { op: 'guestWrite', offset: 32, data: '01', expect: 'ok' }, prefix[2]!, { ...hanging, offset: 32, expect: 'ENOMEM' }], { expectViolation: 'INV-12' }));
    expect(r.pass).toBe(true);
    expect(r.hang).toBeUndefined();
  });

  it('without expectViolation the hang fails the trace naming INV-14', () => {
    const { expectViolation: _, ...bare } = k10;
    expect(runTrace(bare).failure).toEqual({ step: 3, op: 'convert', expected: 'every invariant to hold', actual: `INV-14 violated at convert: the operation never returns: ${K10_REASON}` });
  });

  it('steps after a hang fail the trace: the step never returned, so they cannot run', () => {
    const r = runTrace(trace([...prefix, hanging, { op: 'settle', expect: 'ok' }, { op: 'check', expect: {} }], { expectViolation: 'INV-14' }));
    expect(r.pass).toBe(false);
    expect(r.failure).toEqual({ step: 3, op: 'convert', expected: 'to return (2 later step(s) follow it)', actual: `HANG: never returns (${K10_REASON}): the step never returned, so steps 4-5 cannot run` });
  });

  it('expecting "HANG" where the model returns fails with the usual expected/actual, and so does the reverse', () => {
    const returns = runTrace(trace([prefix[0]!, { op: 'settle', expect: 'HANG' }]));
    expect(returns.failure).toEqual({ step: 1, op: 'settle', expected: '"HANG"', actual: 'ok' });
    const hangs = runTrace(trace([...prefix, { ...hanging, expect: 'ENOMEM' }], { expectViolation: 'INV-14' }));
    expect(hangs.failure).toEqual({ step: 3, op: 'convert', expected: '"ENOMEM"', actual: `HANG: never returns (${K10_REASON})` });
  });

  it('INV-14 is excused only where the known-defects table says: not without an inject, not on another variant', () => {
    const noInject = runTrace(trace([prefix[0]!, { op: 'settle', expect: 'ok' }], { expectViolation: 'INV-14' }));
    expect(noInject.failure).toMatchObject({ step: -1, op: 'expectViolation', expected: 'INV-14 excused only by settings known to break it' });
    const wip = runTrace({ ...k10, config: { ...k10.config, variant: 'wip-2025-12' } });
    expect(wip.pass).toBe(false);
    expect(wip.hang).toBeUndefined();
  });

  it('takeStep reports the hang as the outcome with INV-14 its only violation', () => {
    const sim = new Simulator(configOf(k10));
    for (const s of prefix) takeStep(sim, s);
    const r = takeStep(sim, hanging);
    expect(r.outcome).toEqual({ kind: 'hang', reason: K10_REASON });
    expect(r.violations.map((v) => v.invariant)).toEqual(['INV-14']);
  });
});

describe('what the reports print', () => {
  const passing = file('k10', k10);
  const { expectViolation: _, ...bare } = k10;
  const failing = file('k10-bare', bare);
  const results = replayFiles([passing, failing]).map(withFailurePictures);

  it('text: the pass says which step never returns; the FAIL names INV-14', () => {
    expect(render(results[0]!)).toBe(`pass k10-from-block-0 (INV-14 broken as declared: K10)\n  step 3 (convert) never returns (HANG): ${K10_REASON}`);
    expect(render(results[1]!)).toContain(`  step 3 (convert): expected every invariant to hold\n                    actual   INV-14 violated at convert: the operation never returns: ${K10_REASON}`);
  });

  it('KTAP: a note before `ok`, the diagnostics before `not ok`', () => {
    const ktap = toKtap(results.map(asTestResult)).split('\n');
    const ok = ktap.indexOf('ok 1 k10-from-block-0 # XFAIL INV-14 broken as declared: K10');
    expect(ktap[ok - 1]).toBe(`# step 3 (convert) never returns (HANG): ${K10_REASON}`);
    const notOk = ktap.indexOf('not ok 2 k10-from-block-0');
    expect(ktap.slice(ok + 1, notOk).join('\n')).toMatch(/^# step 3 \(convert\): expected every invariant to hold\n# +actual +INV-14 violated at convert: the operation never returns: /m);
  });

  it('JUnit: the note as system-out of the passing case, the failure with INV-14', () => {
    const xml = new XMLParser({ ignoreAttributes: false }).parse(toJunit('gmem replay', results.map(asTestResult)));
    const cases = [xml.testsuites.testsuite].flat().flatMap((s: { testcase: unknown }) => [s.testcase].flat()) as Array<Record<string, unknown>>;
    expect(cases[0]!['system-out']).toBe(`INV-14 broken as declared: K10\nstep 3 (convert) never returns (HANG): ${K10_REASON}`);
    expect((cases[1]!['failure'] as Record<string, string>)['#text']).toContain('INV-14 violated at convert');
  });
});

describe('the explorer', () => {
  const setting = { variant: 'rfc-v2' as const, vmType: 'sw-protected' as const, policy: { split: 'eager' as const, afterTruncate: 'keep' as const, restore: 'allocator-wrapper' as const, truncateWhilePinned: 'eagain' as const } };
  const scope = { blocks: 1, pages: 2, processes: 1, pins: 0, values: 1, depth: 4 };

  it('a transition that never returns has no successor, and its INV-14 break is recorded', () => {
    const model = buildModel(setting, scope);
    const sim = rootSimulator(model.setup);
    for (const s of [model.steps.find((s) => s.op === 'create' && s.flags.join() === 'mmap,hugetlb')!, { op: 'fallocate' as const, offset: 0, length: 32 }, { op: 'inject' as const, fault: 'split-enomem' as const }]) takeStep(sim, s);
    const x = expand(model, encode(sim));
    const convert = model.steps.findIndex((s) => s.op === 'convert' && s.offset === 0 && s.length === 16 && s.to === 'shared');
    expect(x.violations).toContainEqual([convert, ['INV-14/K10']]);
    expect(x.children.map(([step]) => step)).not.toContain(convert);
    expect(x.transitions).toBeGreaterThan(x.children.length);
  });

  it('finds INV-14 (K10) with a shortest counterexample ending in "HANG" that replays, and reports it like any invariant', async () => {
    const result = await explore(setting, scope);
    const finding = result.findings.find((f) => f.invariant === 'INV-14')!;
    expect(finding).toMatchObject({ defect: 'K10' });
    // Allocate block 0 huge (a guest fault or fallocate), arm the failure, convert from block 0.
    expect(finding.steps.map((s) => s.op)).toEqual(['create', expect.stringMatching(/^(guestRead|guestWrite|fallocate)$/), 'inject', 'convert']);
    const r = report(result);
    expect(r.expected).toContainEqual({ invariant: 'INV-14', because: 'K10 (inject)', defect: 'K10' });
    expect(r.unexpected).toEqual([]);
    const c = r.counterexamples.find((x) => x.finding.invariant === 'INV-14')!;
    expect(c.trace.steps[c.trace.steps.length - 1]).toMatchObject({ op: 'convert', expect: 'HANG' });
    expect(c.trace.expectViolation).toBe('INV-14');
    expect(c.reproduced).toBe(true);
    expect(c.replay).toBe('pass, INV-14 excused as expected');
    expect(c.pictures[c.pictures.length - 1]!.outcome).toBe(`HANG: never returns (${K10_REASON})`);
    expect(renderReports([r], 0)).toMatch(/\n {2}INV-14 BROKEN \(K10\) in 4 steps; replay: pass, INV-14 excused as expected/);
    const json = toJson([r], 0) as { settings: Array<{ invariants: Record<string, { verdict: string }> }> };
    expect(json.settings[0]!.invariants['INV-14']).toMatchObject({ verdict: 'BROKEN', reproduced: true });
  }, 60_000);
});

describe('the viewer', () => {
  it('draws the step as never returning: its outcome, INV-14, no file after it, and the steps after it not run', () => {
    const steps = stepsOf({ label: 'k10', config: configOf(k10), steps: [...prefix, hanging, { op: 'settle', expect: 'ok' }] });
    const [hung, after] = [steps[4]!, steps[5]!];
    expect(hung).toMatchObject({ kind: 'op', hang: K10_REASON, outcome: `HANG: never returns (${K10_REASON})`, transitions: [] });
    expect(hung.violations.map((v) => `${v.invariant} at ${v.where}: ${v.detail} (${v.defect?.id})`)).toEqual([`INV-14 at convert: the operation never returns: ${K10_REASON} (K10)`]);
    expect(hung.file).toBeUndefined();
    expect(after).toMatchObject({ kind: 'not-run', outcome: 'not run: step 4 never returned', matches: false });
  });

  it('a hang the trace expects matches', () => {
    const steps = stepsOf({ label: 'k10', config: configOf(k10), steps: k10.steps });
    expect(steps[4]).toMatchObject({ expected: '"HANG"', matches: true });
  });
});

describe('gmem selftest', () => {
  it('refuses a step expected never to return, saying why a timeout cannot stand in for it', () => {
    const e = emitSelftest({ ...k10, config: { variant: 'rfc-v2' }, steps: [{ op: 'create', size: 4194304, flags: ['mmap', 'hugetlb'], expect: 'ok' }, { op: 'convert', offset: 0, length: 4096, to: 'shared', expect: 'HANG' }] }, 'inline');
    expect(e).toEqual({ ok: false, refusal: { path: '$.steps[1]', what: 'convert "HANG"', reason: HANG_REFUSAL } });
    expect(HANG_REFUSAL).toMatch(/takes no signal/);
  });
});

describe('the walk', () => {
  it('counts INV-14 as evaluated at a step that never returns, and nothing else', () => {
    const ledger = new Ledger();
    ledger.expect(INVARIANT_KIND, INVARIANT_NAMES);
    const sim = new Simulator(configOf(k10));
    takeStep(sim, prefix[0]!);
    recordInvariants(ledger, sim, 'convert', hang('spins'));
    const [kind] = ledger.report();
    expect(kind!.covered).toBe(1);
    expect(kind!.uncovered).not.toContain('INV-14');
  });
});
