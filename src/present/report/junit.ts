/**
 * JUnit XML as CI systems read it (the Ant/Jenkins schema jest-junit also
 * writes): one <testsuite> per setting, one <testcase> per trace or path, a
 * <failure> with its diagnostics, an <error> for a file that could not be run.
 * fast-xml-parser's builder does the escaping.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { TestResult } from './test-result';

// XML 1.0 cannot carry most control characters, even escaped.
// eslint-disable-next-line no-control-regex
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '?');

export function toJunit(name: string, results: ReadonlyArray<TestResult>, seconds?: number): string {
  const suites = new Map<string, TestResult[]>();
  for (const r of results) suites.set(r.suite, [...(suites.get(r.suite) ?? []), r]);
  const count = (rs: ReadonlyArray<TestResult>, s: TestResult['status']) => rs.filter((r) => r.status === s).length;
  const time = (rs: ReadonlyArray<TestResult>) => rs.reduce((t, r) => t + (r.time ?? 0), 0).toFixed(3);
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': clean(name),
      '@_tests': results.length,
      '@_failures': count(results, 'fail'),
      '@_errors': count(results, 'error'),
      '@_time': seconds !== undefined ? seconds.toFixed(3) : time(results),
      testsuite: [...suites].map(([suite, rs]) => ({
        '@_name': clean(suite),
        '@_tests': rs.length,
        '@_failures': count(rs, 'fail'),
        '@_errors': count(rs, 'error'),
        '@_skipped': 0,
        '@_time': time(rs),
        testcase: rs.map((r) => {
          const body = { '@_message': clean(r.diagnostics[0] ?? r.status), '#text': clean(r.diagnostics.join('\n')) };
          return {
            '@_classname': clean(suite),
            '@_name': clean(r.name),
            '@_time': (r.time ?? 0).toFixed(3),
            ...(r.file ? { '@_file': clean(r.file) } : {}),
            ...(r.status === 'fail' ? { failure: body } : r.status === 'error' ? { error: body } : {}),
            // JUnit has no expected failure: it passes, and says what broke as declared.
            ...(r.expectedFailure || r.notes?.length ? { 'system-out': clean([...(r.expectedFailure ? [r.expectedFailure] : []), ...(r.notes ?? [])].join('\n')) } : {}),
          };
        }),
      })),
    },
  };
  return `${new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true }).build(doc)}`;
}
