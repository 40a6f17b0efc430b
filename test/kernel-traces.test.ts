/**
 * The traces' part of the kernel run (src/kernel-run/traces.ts) without QEMU:
 * which files are traces, which must pass and which must SKIP here, what a
 * failure says in the trace's terms, and the generated sources kept
 * incremental. (The run itself: scripts/test-kernel.ts, `npm run test:kernel`.)
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatKtap } from '../src/kernel-run/ktap';
import type { TestResult } from '../src/kernel-run/qemu';
import { judge, planTraces, sourceDir, TraceInputError, timeLimit, traceFiles, unrunResult, writeSources } from '../src/kernel-run/traces';

const TRACES = join(__dirname, 'traces');
const result = (over: Partial<TestResult>): TestResult => ({ name: 'x', status: 'pass', rc: 0, output: '', seconds: 1, kernelLog: [], note: '', ...over });

describe('which files run, and what each must do here', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gmem-ktraces-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a folder stands for every gmem-trace/1 file under it, sub-folders too; other JSON is left out', () => {
    mkdirSync(join(dir, 'sub'));
    const trace = (name: string, variant: string) => JSON.stringify({ format: 'gmem-trace/1', name, config: { variant, vmType: 'sw-protected' }, steps: [{ op: 'create', size: 4096, flags: [], expect: 'ok' }] });
    writeFileSync(join(dir, 'b.json'), trace('b', 'mainline-6.12'));
    writeFileSync(join(dir, 'sub', 'a.json'), trace('a', 'inplace-v8'));
    writeFileSync(join(dir, 'package.json'), '{"name": "not a trace"}');
    writeFileSync(join(dir, 'notes.txt'), 'no');
    expect(traceFiles([dir]).map((f) => f.slice(dir.length + 1))).toEqual(['b.json', 'sub/a.json']);
    expect(() => traceFiles([join(dir, 'missing.json')])).toThrow(TraceInputError);
    const plans = planTraces(traceFiles([dir]));
    expect(plans.map((p) => [p.trace.name, p.expect, p.fileName])).toEqual([
      ['b', 'pass', 'gmem_b'],
      ['a', 'skip', 'gmem_a'],
    ]);
  });

  it('every mainline-6.12 trace of the project must pass here, every other tree skip; a refusal is kept', () => {
    const plans = planTraces(traceFiles([TRACES]));
    const ml612 = plans.filter((p) => p.trace.config?.variant === 'mainline-6.12');
    expect(ml612.length).toBeGreaterThanOrEqual(38);
    expect(ml612.every((p) => p.expect === 'pass' && p.fileName && !p.refusal)).toBe(true);
    expect(plans.filter((p) => p.trace.config?.variant !== 'mainline-6.12').every((p) => p.expect === 'skip')).toBe(true);
    const k1 = plans.find((p) => p.label.endsWith('k1-rfc-v2-failed-split-loses-mappings.json'))!;
    expect(k1.refusal).toMatchObject({ path: '$.steps[3]', what: 'inject' });
    expect(unrunResult(k1)).toMatchObject({ status: 'skip', output: expect.stringMatching(/^1\.\.0 # SKIP not generated: \$\.steps\[3\] inject: /) });
  });

  it('an invalid file is bad input, before anything is built', () => {
    expect(() => planTraces([join(__dirname, 'bad-traces', 'bad-hex-data.json')])).toThrow(/INVALID FILE: .*bad-hex-data\.json: \$\.steps\[1\]\.data/);
  });

  it('the time limit is the harness test limit and 30 s; a file expected to SKIP gets 20 s', () => {
    const [plan] = planTraces([join(TRACES, 'ml612-close-then-ebadf.json')]);
    expect(timeLimit(plan!)).toBe(31 + 30);
    const [other] = planTraces([join(TRACES, 'st-inplace-v8-truncate.json')]);
    expect(timeLimit(other!)).toBe(20);
  });
});

describe('verdicts and what a failure says', () => {
  const [ml] = planTraces([join(TRACES, 'ml612-convert-roundtrip-two-stores.json')]);
  const [v8] = planTraces([join(TRACES, 'st-inplace-v8-truncate.json')]);
  const plan = ml!;
  const other = v8!;

  it('mainline-6.12 passes only by passing; a SKIP fails', () => {
    expect(judge(plan, result({})).status).toBe('pass');
    expect(judge(plan, result({ status: 'skip', rc: 4 }))).toMatchObject({ status: 'fail', note: expect.stringMatching(/^skipped, but this kernel is the tree/) });
  });

  it("another tree's file passes only by skipping; running at all fails", () => {
    expect(judge(other, result({ status: 'skip', rc: 4 })).status).toBe('skip');
    expect(judge(other, result({ status: 'pass' }))).toMatchObject({ status: 'fail', note: 'inplace-v8 expected to SKIP here (this kernel lacks its uapi), but it ran and passed' });
  });

  it("names the trace, the step with its JSON, the model's answer and the kernel's, from the C's failure line", () => {
    const output = ['gmem: step 5 (convert)', 'gmem: step 6 (guestRead)', '==== Test Assertion Failure ====', '  x.c:1: false', '  step 6 (guestRead): the model expects 0x11 x4096; the kernel: 0x00 x4096 (4096 of 4096 bytes differ, the first at byte 0)', ''].join('\n');
    const r = judge(plan, result({ status: 'fail', rc: 254, output, note: 'exit 254' }));
    expect(r.name).toBe(plan.label);
    expect(r.details).toEqual([
      `trace ${plan.label}`,
      'step 6: {"op":"guestRead","offset":0,"length":4096,"expect":{"fill":"11"}}',
      'the model expects: 0x11 x4096',
      'the kernel: 0x00 x4096 (4096 of 4096 bytes differ, the first at byte 0)',
    ]);
    const ktap = formatKtap([r]);
    expect(ktap).toContain('# step 6: {"op":"guestRead"');
    expect(ktap).toMatch(/^not ok 1 test\/traces\/ml612-convert-roundtrip-two-stores\.json$/m);
  });

  it('a failure elsewhere (the selftest library) is placed at the last step the test began', () => {
    const output = ['gmem: step 0 (create)', 'gmem: step 1 (guestWrite)', '==== Test Assertion Failure ====', '  lib/kvm_util.c:1100: ret == 0', '  pid=1 tid=1 errno=22 - Invalid argument', '  KVM_SET_USER_MEMORY_REGION2 failed', ''].join('\n');
    expect(judge(plan, result({ status: 'fail', rc: 254, output })).details).toEqual([
      `trace ${plan.label}`,
      'step 1: {"op":"guestWrite","offset":0,"fill":"11","length":4096,"expect":"ok"}',
      'the model expects: "ok"',
      'the kernel: KVM_SET_USER_MEMORY_REGION2 failed (lib/kvm_util.c:1100: ret == 0)',
    ]);
    expect(judge(plan, result({ status: 'timeout', rc: 137, output: '', note: 'killed at its limit' })).details).toEqual([`trace ${plan.label}`, 'before step 0 (the VM or what the test requires)', 'the kernel: killed at its limit']);
  });
});

describe('the generated sources', () => {
  it('are rewritten only when their text changed, and files of traces no longer in the set go', () => {
    const root = mkdtempSync(join(tmpdir(), 'gmem-ktraces-src-'));
    try {
      const plans = planTraces([join(TRACES, 'ml612-close-then-ebadf.json'), join(TRACES, 'ml612-convert-copies-nothing.json')]);
      const dir = sourceDir(root, plans);
      expect(sourceDir(root, [...plans].reverse())).toBe(dir);
      writeSources(dir, plans);
      const file = join(dir, 'gmem_ml612_close_then_ebadf.c');
      utimesSync(file, new Date(1000), new Date(1000));
      writeFileSync(join(dir, 'gmem_stale.c'), '');
      writeSources(dir, plans);
      expect(statSync(file).mtimeMs).toBe(1000);
      expect(readdirSync(dir).sort()).toEqual(['gmem_ml612_close_then_ebadf.c', 'gmem_ml612_convert_copies_nothing.c']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
