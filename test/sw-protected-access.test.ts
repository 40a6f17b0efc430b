/**
 * A sw-protected VM's access type is the page's attribute (DOMAIN 4 guest
 * access; S-KVM `kvm_mmu_page_fault` takes it from `kvm_mem_is_private`;
 * E8): an explicit `access` that contradicts the shareability of a page the
 * access reaches is invalid input, found at run time (TRACE-FORMAT Validity),
 * exit 2 naming `$.steps[i].access`. One that restates it is allowed; tdx
 * and snp guests choose theirs. The explorer offers no such access.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from '../src/explore/expand';
import { geometryOf, operations } from '../src/explore/operations';
import { DEFAULT_POLICY } from '../machines/policy';
import { generateSelftests } from '../src/selftest/generate';
import { configOf, runTrace } from '../src/trace/replay';
import type { Trace } from '../src/trace/schema';
import { stepsOf } from '../src/present/view/viewer-sources';
import { runCli } from './support/run-cli';

/** Two blocks of two pages, private; page 1 converted to shared. */
const setup: Trace['steps'] = [
  { op: 'create', size: 64, flags: ['mmap', 'hugetlb'], expect: 'ok' },
  { op: 'convert', offset: 16, length: 16, to: 'shared', expect: 'ok' },
];
const trace = (steps: Trace['steps'], vmType: 'sw-protected' | 'tdx' = 'sw-protected'): Trace => ({
  format: 'gmem-trace/1',
  name: 'access',
  config: { variant: 'rfc-v2', vmType, pageSize: 16, hugePageSize: 32 },
  steps: [...setup, ...steps],
});

describe('replay', () => {
  it('an access that restates the attribute, or gives none, is valid', () => {
    const r = runTrace(trace([
      { op: 'guestWrite', offset: 0, data: '01', access: 'private', expect: 'ok' },
      { op: 'guestRead', offset: 16, length: 1, access: 'shared', expect: { data: '00' } },
      { op: 'guestRead', offset: 0, length: 32, expect: { data: `01${'00'.repeat(31)}` } },
    ]));
    expect(r.invalid).toBeUndefined();
    expect(r.pass).toBe(true);
  });

  it('one that contradicts a page it reaches is invalid, naming $.steps[i].access and the page, in page order', () => {
    const r = runTrace(trace([{ op: 'guestRead', offset: 0, length: 32, access: 'private', expect: 'ok' }]));
    expect(r.pass).toBe(false);
    expect(r.failure).toBeUndefined();
    expect(r.invalid).toEqual({ path: '$.steps[2].access', what: expect.stringMatching(/^a private access reaches page 1, which is shared: on a sw-protected VM the access type is the page's attribute/) });
  });

  it('a page the access never reaches does not count: after unbind it stops at page 0', () => {
    const r = runTrace(trace([
      { op: 'unbind', expect: 'ok' },
      { op: 'guestRead', offset: 0, length: 32, access: 'private', expect: { error: 'EFAULT', exit: 'memory-fault', memoryFault: { offset: 0, private: true } } },
    ]));
    expect(r.invalid).toBeUndefined();
    expect(r.pass).toBe(true);
  });

  it('a tdx guest chooses its access type: the mismatch is a memory-fault exit, valid input', () => {
    const r = runTrace(trace([{ op: 'guestRead', offset: 16, length: 1, access: 'private', expect: { error: 'EFAULT', exit: 'memory-fault', memoryFault: { offset: 16, private: true } } }], 'tdx'));
    expect(r.invalid).toBeUndefined();
    expect(r.pass).toBe(true);
  });
});

describe('the commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gmem-access-'));
  const file = join(dir, 'contradicts.json');
  writeFileSync(file, JSON.stringify(trace([{ op: 'guestWrite', offset: 16, data: '02', access: 'private', expect: 'ok' }])));

  it('gmem replay exits 2 with one line naming the field', () => {
    const r = runCli(['replay', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^INVALID FILE: .*contradicts\.json: \$\.steps\[2\]\.access: a private access reaches page 1, which is shared/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('gmem selftest calls it invalid too, as replay does', () => {
    const [o] = generateSelftests([file], undefined);
    expect(o).toMatchObject({ status: 'invalid', message: expect.stringMatching(/: \$\.steps\[2\]\.access: /) });
  });

  it('the viewer marks the step as invalid input', () => {
    const t = trace([{ op: 'guestWrite', offset: 16, data: '02', access: 'private', expect: 'ok' }]);
    const steps = stepsOf({ label: 'x', config: configOf(t), steps: t.steps });
    expect(steps[3]!.invalid).toMatch(/^\$\.steps\[2\]\.access: a private access reaches page 1/);
  });
});

describe('the explorer', () => {
  const scope = { blocks: 1, pages: 2, processes: 1, pins: 0, values: 1, depth: 3 };
  const guest = (steps: ReturnType<typeof operations>) => steps.filter((s) => s.op === 'guestRead' || s.op === 'guestWrite');

  it('offers sw-protected guest accesses without an access type (the attribute decides), tdx and snp both types', () => {
    const sw = guest(operations(geometryOf(scope, 'sw-protected')));
    expect(sw.length).toBe(4);
    expect(sw.every((s) => !('access' in s))).toBe(true);
    for (const vmType of ['tdx', 'snp'] as const) {
      const chosen = guest(operations(geometryOf(scope, vmType)));
      expect(new Set(chosen.map((s) => ('access' in s ? s.access : undefined)))).toEqual(new Set(['shared', 'private']));
    }
    expect(guest(buildModel({ variant: 'inplace-v13', vmType: 'sw-protected', policy: DEFAULT_POLICY }, scope).steps).some((s) => 'access' in s)).toBe(false);
  });
});
