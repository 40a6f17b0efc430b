/**
 * gmem replay (the command; the traces themselves pass in
 * traces-pass.test.ts): malformed files exit 2 with a message naming the file, the JSON path and the problem,
 * never a stack trace; exit status 2 wins over 1; --json is machine-readable.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTrace } from '../src/trace/replay';
import { runCli } from './support/run-cli';

const root = join(__dirname, '..');
const BAD: Array<[string, RegExp]> = [
  ['truncated-json.json', /^INVALID FILE: test\/bad-traces\/truncated-json[.]json: \$: not JSON: line 2, column 1: expected ',' or '}' after property value\n/],
  ['not-an-object.json', /^INVALID FILE: test\/bad-traces\/not-an-object[.]json: \$: /],
  ['wrong-format.json', /^INVALID FILE: test\/bad-traces\/wrong-format[.]json: \$\.format: /],
  ['missing-name.json', /^INVALID FILE: test\/bad-traces\/missing-name[.]json: \$\.name: /],
  ['missing-steps.json', /^INVALID FILE: test\/bad-traces\/missing-steps[.]json: \$\.steps: /],
  // In the contract's words, never zod's ("Invalid discriminator value").
  ['unknown-op.json', /^INVALID FILE: test\/bad-traces\/unknown-op[.]json: \$\.steps\[1\]\.op: unknown op "mremap"; did you mean "munmap"\?\n/],
  ['offset-not-a-number.json', /^INVALID FILE: test\/bad-traces\/offset-not-a-number[.]json: \$\.steps\[1\]\.offset: /],
  ['missing-length.json', /^INVALID FILE: test\/bad-traces\/missing-length[.]json: \$\.steps\[1\]\.length: /],
  ['unknown-field.json', /^INVALID FILE: test\/bad-traces\/unknown-field[.]json: \$\.steps\[0\]\.flagz: unknown field \(allowed here: op, size, flags\b[^)]*\)\n/],
  ['unknown-top-level-field.json', /^INVALID FILE: test\/bad-traces\/unknown-top-level-field[.]json: \$\.author: unknown field \(allowed here: format, name\b[^)]*\bsteps\b[^)]*\)\n/],
  ['unknown-flag.json', /^INVALID FILE: test\/bad-traces\/unknown-flag[.]json: \$\.steps\[0\]\.flags\[1\]: /],
  ['unknown-mode.json', /^INVALID FILE: test\/bad-traces\/unknown-mode[.]json: \$\.steps\[1\]\.mode\[1\]: /],
  ['op-before-create.json', /^INVALID FILE: test\/bad-traces\/op-before-create[.]json: \$\.steps\[0\]\.op: only check may come before the first create/],
  ['second-create.json', /^INVALID FILE: test\/bad-traces\/second-create[.]json: \$\.steps\[1\]\.op: a second create/],
  ['bad-hex-data.json', /^INVALID FILE: test\/bad-traces\/bad-hex-data[.]json: \$\.steps\[1\]\.data: must be a lowercase hex string/],
  ['write-without-payload.json', /^INVALID FILE: test\/bad-traces\/write-without-payload[.]json: \$\.steps\[1\]: a write needs data, or fill with length/],
  ['page-size-not-power-of-two.json', /^INVALID FILE: test\/bad-traces\/page-size-not-power-of-two[.]json: \$\.config\.pageSize: must be a power of two/],
  ['negative-offset.json', /^INVALID FILE: test\/bad-traces\/negative-offset[.]json: \$\.steps\[1\]\.offset: /],
  ['unknown-errno.json', /^INVALID FILE: test\/bad-traces\/unknown-errno[.]json: \$\.steps\[0\]\.expect: /],
  ['unknown-invariant.json', /^INVALID FILE: test\/bad-traces\/unknown-invariant[.]json: \$\.expectViolation: /],
  ['memory-fault-without-exit.json', /^INVALID FILE: test\/bad-traces\/memory-fault-without-exit[.]json: \$\.steps\[1\]\.expect\.memoryFault: needs "exit": "memory-fault"/],
  ['hang-before-last-step.json', /^INVALID FILE: test\/bad-traces\/hang-before-last-step[.]json: \$\.steps\[1\]\.expect: "HANG" \(the operation never returns\) is allowed only on the last step/],
  // Found at run time (TRACE-FORMAT Validity; E8): the step before it, restating the attribute, is valid.
  ['sw-protected-access-contradicts-attribute.json', /^INVALID FILE: test\/bad-traces\/sw-protected-access-contradicts-attribute[.]json: \$\.steps\[2\]\.access: a shared access reaches page 0, which is private: on a sw-protected VM/],
];

describe('malformed traces exit 2 and say why', () => {
  it('there are at least 10', () => {
    expect(BAD.length).toBeGreaterThanOrEqual(10);
    expect(readdirSync(join(__dirname, 'bad-traces')).filter((f) => f.endsWith('.json')).sort()).toEqual(BAD.map(([f]) => f).sort());
  });
  it.each(BAD)('%s', (file, message) => {
    const r = runCli(['replay', `test/bad-traces/${file}`], { cwd: root });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('replay exit status and output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gmem-replay-'));
  const failing = join(dir, 'failing.json');
  writeFileSync(failing, JSON.stringify({
    format: 'gmem-trace/1',
    name: 'expects-the-wrong-errno',
    steps: [
      { op: 'create', size: 8192, flags: ['mmap', 'init-shared'], expect: 'ok' },
      { op: 'hostRead', offset: 0, length: 1, expect: 'SIGBUS' },
    ],
  }));
  const passing = join(root, 'test', 'traces', 'truncate-keeps-shareability.json');

  it('a failing trace prints FAIL with the step, op, expectation and outcome, and exits 1', () => {
    const r = runCli(['replay', passing, failing]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(
      'pass truncate-keeps-shareability\n' +
        `FAIL expects-the-wrong-errno (${failing})\n` +
        '  step 1 (hostRead): expected "SIGBUS"\n' +
        '                     actual   ok, read 00\n' +
        '  after the step: block 0: |S| [s]\n' +
        '1 passed, 1 failed\n',
    );
  });

  it('an invalid file makes the exit 2 even when another trace failed', () => {
    const r = runCli(['replay', failing, join(root, 'test', 'bad-traces', 'unknown-op.json')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^FAIL expects-the-wrong-errno/);
  });

  it('--json reports every file', () => {
    const r = runCli(['replay', '--json', passing, failing, join(root, 'test', 'bad-traces', 'truncated-json.json')]);
    expect(r.status).toBe(2);
    const results = JSON.parse(r.stdout) as Array<{ status: string; failure?: { step: number; op: string } }>;
    expect(results.map((x) => x.status)).toEqual(['pass', 'FAIL', 'INVALID']);
    expect(results[1]!.failure).toMatchObject({ step: 1, op: 'hostRead', expected: 'SIGBUS' });
  });

  it('a missing file is invalid, not a crash', () => {
    const r = runCli(['replay', join(dir, 'nope.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^INVALID FILE: .*nope\.json: \$: cannot read it \(ENOENT\)/);
  });

  it('no file at all is a usage error', () => {
    const r = runCli(['replay']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('gmem: replay: name at least one trace file\n');
  });
});

describe('a text that is not JSON is placed by line and column', () => {
  it.each([
    ['{"format":\n "x",,}', 'line 2, column 6: expected double-quoted property name'],
    ['{\n"name": nope}', "line 2, column 10: unexpected 'o'"],
    ['', 'line 1: the text ends before the JSON does'],
  ])('%j', (text, where) => {
    const loaded = loadTrace('(stdin)', text);
    expect(loaded).toEqual({ ok: false, message: `INVALID FILE: (stdin): $: not JSON: ${where}` });
  });
});
