/**
 * gmem replay through the real bin: standard input, the summary line, FAIL
 * naming the file and drawing the touched blocks, --json values, KTAP and
 * JUnit reports, and unknown fields with a suggestion.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { runCli, wideLines } from './support/run-cli';

const root = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'gmem-cli-replay-'));
const passing = join(root, 'test', 'traces', 'truncate-keeps-shareability.json');

/** A 2-page huge block: page 1 converted shared, pinned; converting it back must fail with EAGAIN, the trace says ok. */
const pinned = {
  format: 'gmem-trace/1',
  name: 'pin-blocks-to-private',
  config: { variant: 'rfc-v2', vmType: 'sw-protected', pageSize: 16, hugePageSize: 32 },
  steps: [
    { op: 'create', size: 64, flags: ['mmap', 'hugetlb'], expect: 'ok' },
    { op: 'guestWrite', offset: 0, data: '01', access: 'private', expect: 'ok' },
    { op: 'convert', offset: 16, length: 16, to: 'shared', expect: 'ok' },
    { op: 'pin', offset: 16, expect: 'ok' },
    { op: 'convert', offset: 16, length: 16, to: 'private', expect: 'ok' },
  ],
};
const failing = join(dir, 'pinned.json');
writeFileSync(failing, JSON.stringify(pinned));

describe('gmem replay', () => {
  const declared = join(root, 'test', 'traces', 'k2-rfc-v2-merge-uptodate-wipes-shared-data.json');

  it('a trace that breaks an invariant as declared says which, and by which known defect', () => {
    const r = runCli(['replay', declared, passing]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('pass k2-rfc-v2-merge-uptodate-wipes-shared-data (INV-9 broken as declared: K2)\npass truncate-keeps-shareability\n2 passed, 0 failed\n');
  });

  it('KTAP reports a declared break as kselftest does an expected failure: ok # XFAIL, counted in the totals', () => {
    const r = runCli(['replay', declared, passing, '--reporter', 'tap']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'KTAP version 1',
      '1..2',
      'ok 1 k2-rfc-v2-merge-uptodate-wipes-shared-data # XFAIL INV-9 broken as declared: K2',
      'ok 2 truncate-keeps-shareability',
      '# Totals: pass:1 fail:0 xfail:1 xpass:0 skip:0 error:0',
      '',
    ]);
  });

  it('ends with `N passed, M failed` alone on a line', () => {
    const r = runCli(['replay', passing, join(root, 'test', 'traces', 'tiny-geometry.json')]);
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('2 passed, 0 failed');
  });

  it('a FAIL names the trace and the file, and draws the block the step touched after it', () => {
    const r = runCli(['replay', passing, failing]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(
      'pass truncate-keeps-shareability\n' +
        `FAIL pin-blocks-to-private (${failing})\n` +
        '  step 4 (convert): expected "ok"\n' +
        '                    actual   EAGAIN errorOffset=16\n' +
        '  after the step: block 0: |PS| [ss] pins 01\n' +
        '1 passed, 1 failed\n',
    );
    expect(wideLines(r.stdout)).toEqual([]);
  });

  it('- reads the trace from standard input', () => {
    const r = runCli(['replay', '-'], { input: JSON.stringify(pinned) });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL pin-blocks-to-private \(\(stdin\)\)\n/);
    const ok = runCli(['replay', '-', passing], { input: JSON.stringify({ ...pinned, steps: pinned.steps.slice(0, 4) }) });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/\n2 passed, 0 failed\n$/);
    const bad = runCli(['replay', '-'], { input: '{"format": "gmem-trace/1"' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^INVALID FILE: \(stdin\): \$: not JSON/);
  });

  it('--json gives expected as a JSON value, with the setting and the touched blocks', () => {
    const r = runCli(['replay', '--json', failing, join(root, 'test', 'traces', 'one-gib-pages.json')]);
    const [fail] = JSON.parse(r.stdout) as Array<{ file: string; setting: string; failure: { expected: unknown; actual: string; blocks: string[] } }>;
    expect(fail!.file).toBe(failing);
    expect(fail!.setting).toBe('rfc-v2 sw-protected');
    expect(fail!.failure).toMatchObject({ expected: 'ok', actual: 'EAGAIN errorOffset=16', blocks: ['block 0: |PS| [ss] pins 01'] });
    const data = runCli(['replay', '--json', '-'], { input: JSON.stringify({ ...pinned, steps: [...pinned.steps.slice(0, 2), { op: 'guestRead', offset: 0, length: 1, access: 'private', expect: { data: '02' } }] }) });
    expect((JSON.parse(data.stdout) as Array<{ failure: { expected: unknown } }>)[0]!.failure.expected).toEqual({ data: '02' });
  });

  it('--reporter tap prints KTAP as kselftest does', () => {
    const r = runCli(['replay', '--reporter', 'tap', passing, failing]);
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 3)).toEqual(['KTAP version 1', '1..2', 'ok 1 truncate-keeps-shareability']);
    expect(lines).toContain(`# file: ${failing}`);
    expect(lines).toContain('# step 4 (convert): expected "ok"');
    expect(lines).toContain('# after the step: block 0: |PS| [ss] pins 01');
    expect(lines[lines.length - 2]).toBe('not ok 2 pin-blocks-to-private');
    expect(lines[lines.length - 1]).toBe('# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0');
  });

  it('--reporter junit gives one testcase per trace, the setting as the suite', () => {
    const tdx = join(root, 'test', 'traces', 'conversion-zeroes-tdx.json');
    const r = runCli(['replay', '--reporter', 'junit', passing, failing, tdx, join(root, 'test', 'bad-traces', 'not-an-object.json')]);
    expect(r.status).toBe(2);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(r.stdout);
    const suites = xml.testsuites.testsuite as Array<{ name: string; tests: string; testcase: Array<{ name: string; classname: string; failure?: { message: string }; error?: unknown }> }>;
    expect(xml.testsuites.tests).toBe('4');
    expect(xml.testsuites.failures).toBe('1');
    expect(xml.testsuites.errors).toBe('1');
    expect(suites.map((s) => s.name)).toEqual(['rfc-v2 sw-protected', 'rfc-v2 tdx', 'invalid files']);
    const cases = suites[0]!.testcase;
    expect(cases.map((c) => c.name)).toEqual(['truncate-keeps-shareability', 'pin-blocks-to-private']);
    expect(cases[1]!.failure!.message).toBe(`file: ${failing}`);
    expect(suites[2]!.testcase[0]!.error).toBeDefined();
  });

  it('--json and --reporter together, or an unknown reporter, are usage errors', () => {
    expect(runCli(['replay', '--json', '--reporter', 'tap', passing]).stderr).toBe('gmem: replay: give --json or --reporter tap, not both\n');
    const r = runCli(['replay', '--reporter', 'xml', passing]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("gmem: replay: --reporter must be one of text, tap, junit, got 'xml'\n");
  });

  it('an unknown field is reported as unknown, with the field the schema allows there', () => {
    const steps = [...pinned.steps.slice(0, 3), { op: 'hostRead', offset: 0, lenght: 16 }];
    const r = runCli(['replay', '-'], { input: JSON.stringify({ ...pinned, steps }) });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('INVALID FILE: (stdin): $.steps[3].lenght: unknown field; did you mean "length"?\n');
    const nested = runCli(['replay', '-'], { input: JSON.stringify({ ...pinned, config: { ...pinned.config, policy: { splt: 'lazy' } } }) });
    expect(nested.stderr).toBe('INVALID FILE: (stdin): $.config.policy.splt: unknown field; did you mean "split"?\n');
  });
});

describe('a block of real geometry (512 pages of 4 KiB)', () => {
  const wide = join(dir, 'wide-pin.json');
  writeFileSync(wide, JSON.stringify({ ...pinned, name: 'wide-pin', config: { ...pinned.config, pageSize: 4096, hugePageSize: 2097152 }, steps: [
    { op: 'create', size: 2097152, flags: ['mmap', 'hugetlb'], expect: 'ok' },
    { op: 'guestWrite', offset: 0, data: '01', access: 'private', expect: 'ok' },
    { op: 'convert', offset: 4096, length: 4096, to: 'shared', expect: 'ok' },
    { op: 'pin', offset: 4096, expect: 'ok' },
    { op: 'convert', offset: 4096, length: 4096, to: 'private', expect: 'ok' },
  ] }));

  it('is drawn in runs, one notation for every strip: `mark×n`, runs apart', () => {
    const r = runCli(['replay', wide]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('  after the step: block 0: |P S P×510| [s×512] pins 0 1 0×510\n');
  });

  it('the notation is explained in gmem replay --help', () => {
    expect(runCli(['replay', '--help']).stdout).toContain('`pins 0 1 0×510`');
  });
});
