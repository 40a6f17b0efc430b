/** Under CI, jest writes a JUnit file CI can read (jest-junit, test-output/junit.xml by default). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

const root = join(__dirname, '..');

it('CI=1 makes jest write JUnit XML with every test of the run', () => {
  const out = mkdtempSync(join(tmpdir(), 'gmem-junit-'));
  // jest-junit's own variable moves the file out of test-output/, so this run does not overwrite the suite's.
  const r = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), 'test/fast-check-seed.test.ts'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', JEST_JUNIT_OUTPUT_DIR: out },
  });
  expect(r.status).toBe(0);
  const file = join(out, 'junit.xml');
  expect(existsSync(file)).toBe(true);
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testsuite' || n === 'testcase' }).parse(readFileSync(file, 'utf8'));
  const cases = (xml.testsuites.testsuite as Array<{ testcase: Array<{ name: string }> }>).flatMap((s) => s.testcase);
  expect(cases.map((c) => c.name)).toContain('is read as an integer; a malformed one is a clear error');
  expect(xml.testsuites.failures).toBe('0');
}, 60_000);

it('the default is test-output/junit.xml, and only under CI', () => {
  const load = (ci: string | undefined) => {
    jest.resetModules();
    const saved = process.env['CI'];
    if (ci === undefined) delete process.env['CI'];
    else process.env['CI'] = ci;
    try {
      return (require(join(root, 'jest.config.js')) as { reporters: unknown[] }).reporters;
    } finally {
      if (saved === undefined) delete process.env['CI'];
      else process.env['CI'] = saved;
    }
  };
  expect(load('true')).toContainEqual(['jest-junit', expect.objectContaining({ outputDirectory: 'test-output', outputName: 'junit.xml' })]);
  expect(load(undefined)).not.toContainEqual(expect.arrayContaining(['jest-junit']));
});
