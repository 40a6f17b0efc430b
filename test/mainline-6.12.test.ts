/**
 * mainline-6.12 (DOMAIN 7.4, S-ML612), the tree that runs on these machines:
 * what only it does, through its profile fields (machines/variant.ts). Its
 * traces (test/traces/ml612-*.json) pin each rule against the kernel; these
 * tests hold the mechanisms: input validity, the lifetime rules, the memslot
 * store in the explorer's state, the settings explored.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { profileOf } from '../machines/variant';
import { buildModel } from '../src/explore/expand';
import { DEFAULT_SCOPE } from '../src/explore/operations';
import { variantSettings } from '../src/explore/settings';
import { encode, materialize, rootSimulator } from '../src/explore/state-codec';
import { loadTrace, runTrace } from '../src/trace/replay';
import { takeStep } from '../src/engine/step';
import type { TraceStep } from '../src/trace/schema';
import { runSteps } from './support/run-steps';

const P = 4096;
const ML = { variant: 'mainline-6.12' as const };

describe('input', () => {
  it('a vmType the tree does not run is invalid input naming $.config.vmType', () => {
    for (const vmType of ['tdx', 'snp']) {
      const text = JSON.stringify({ format: 'gmem-trace/1', name: 'x', config: { variant: 'mainline-6.12', vmType }, steps: [{ op: 'create', size: P, flags: [] }] });
      const loaded = loadTrace('t.json', text);
      expect(loaded).toEqual({ ok: false, message: `INVALID FILE: t.json: $.config.vmType: mainline-6.12 runs only sw-protected VMs, not ${vmType}` });
    }
    const ok = loadTrace('t.json', JSON.stringify({ format: 'gmem-trace/1', name: 'x', config: { variant: 'mainline-6.12' }, steps: [] }));
    expect(ok.ok).toBe(true);
    expect(profileOf('mainline-6.12').vmTypes).toEqual(['sw-protected']);
  });

  it('its traces are at least 30, each with a description citing S-ML612 or a 6.12 selftest, and pass', () => {
    const dir = join(__dirname, 'traces');
    const files = readdirSync(dir).filter((f) => /^ml612-.*\.json$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(30);
    for (const f of files) {
      const loaded = loadTrace(join(dir, f));
      if (!loaded.ok) throw new Error(loaded.message);
      expect([f, loaded.trace.config?.variant, loaded.trace.config?.vmType]).toEqual([f, 'mainline-6.12', 'sw-protected']);
      expect([f, /S-ML612|_test\.c/.test(loaded.trace.description ?? '')]).toEqual([f, true]);
      const r = runTrace(loaded.trace);
      expect([f, r.pass ? 'pass' : r.failure]).toEqual([f, 'pass']);
    }
  });
});

describe('lifetime', () => {
  it('after closeFd: fallocate and punch EBADF, convert 0, a shared access reads the memslot, a private one exits', () => {
    const r = runSteps(ML, [
      { op: 'create', size: 2 * P, flags: [] },
      { op: 'convert', offset: P, length: P, to: 'shared' },
      { op: 'guestWrite', offset: P, data: '5a' },
      { op: 'closeFd' },
      { op: 'fallocate', offset: 0, length: P },
      { op: 'punchHole', offset: 0, length: P },
      { op: 'convert', offset: 0, length: P, to: 'private' },
      { op: 'guestRead', offset: P, length: 1 },
      { op: 'guestRead', offset: 0, length: 1 },
    ]);
    expect(r.outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'EBADF', 'EBADF', 'ok', 'ok, read 5a', 'EFAULT exit=memory-fault memoryFault={offset:0,size:4096,private:true}']);
    expect(r.violations).toEqual([]);
  });

  it('close takes the VM too: convert is EBADF afterwards', () => {
    const r = runSteps(ML, [{ op: 'create', size: P, flags: [] }, { op: 'close' }, { op: 'convert', offset: 0, length: P, to: 'shared' }, { op: 'guestRead', offset: 0, length: 1 }]);
    expect(r.outcomes).toEqual(['ok', 'ok', 'EBADF', 'EBADF']);
  });

  it('after unbind: a second unbind EINVAL, fallocate and punch work, a private access exits', () => {
    const r = runSteps(ML, [
      { op: 'create', size: 2 * P, flags: [] },
      { op: 'unbind' },
      { op: 'unbind' },
      { op: 'fallocate', offset: 0, length: 2 * P },
      { op: 'punchHole', offset: 0, length: P },
      { op: 'guestRead', offset: P, length: 1 },
    ]);
    expect(r.outcomes).toEqual(['ok', 'ok', 'EINVAL', 'ok', 'ok', 'EFAULT exit=memory-fault memoryFault={offset:4096,size:4096,private:true}']);
    expect(r.violations).toEqual([]);
  });
});

describe('the explorer', () => {
  it('explores mainline-6.12 under sw-protected only', () => {
    expect(variantSettings().filter((s) => s.variant === 'mainline-6.12').map((s) => s.vmType)).toEqual(['sw-protected']);
  });

  it('the state encodes the memslot store: states differing only there encode apart and materialize back', () => {
    const model = buildModel({ variant: 'mainline-6.12', vmType: 'sw-protected', policy: { split: 'eager', afterTruncate: 'keep', restore: 'allocator-wrapper', truncateWhilePinned: 'eagain' } }, { ...DEFAULT_SCOPE, blocks: 1, pages: 2 });
    const run = (steps: TraceStep[]) => {
      const sim = rootSimulator(model.setup);
      for (const s of steps) takeStep(sim, s);
      return sim;
    };
    const create: TraceStep = { op: 'create', size: model.setup.size, flags: [] };
    const share: TraceStep = { op: 'convert', offset: 0, length: 16, to: 'shared' };
    const a = run([create, share, { op: 'guestWrite', offset: 0, fill: '11', length: 16 }]);
    const b = run([create, share, { op: 'guestWrite', offset: 0, fill: '22', length: 16 }]);
    const c = run([create, share, { op: 'guestWrite', offset: 0, data: '00112233445566778899aabbccddeeff' }]);
    const [ea, eb, ec] = [encode(a), encode(b), encode(c)];
    expect(new Set([ea, eb, ec]).size).toBe(3);
    for (const e of [ea, eb, ec]) expect(encode(materialize(e, model.setup))).toBe(e);
    const back = materialize(ec, model.setup);
    const read = takeStep(back, { op: 'guestRead', offset: 0, length: 16 });
    expect(read.outcome).toEqual({ kind: 'ok', data: Buffer.from('00112233445566778899aabbccddeeff', 'hex') });
    // The file's private store is apart: page 1 private, never written, reads zero.
    expect(takeStep(back, { op: 'guestRead', offset: 16, length: 16 }).outcome).toEqual({ kind: 'ok', data: Buffer.alloc(16) });
  });
});
