/**
 * KTAP, as the kernel's kselftest prints it
 * (Documentation/dev-tools/ktap.rst; tools/testing/selftests/kselftest.h):
 *
 *   KTAP version 1
 *   1..N
 *   # diagnostics of test 1
 *   not ok 1 name
 *   ok 2 name
 *   # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0
 *
 * Diagnostic lines come before the result line they explain, as
 * ksft_print_msg does before ksft_test_result_fail. A name may not contain
 * `#` (it would start a directive) or a line break.
 */
import type { TestResult } from './test-result';

export function ktapName(name: string): string {
  return name.replace(/[\r\n]+/g, ' ').replace(/#/g, '_').trim() || '(unnamed)';
}

export function toKtap(results: ReadonlyArray<TestResult>): string {
  const lines = ['KTAP version 1', `1..${results.length}`];
  results.forEach((r, i) => {
    for (const d of [...r.diagnostics, ...(r.notes ?? [])]) for (const line of d.split('\n')) lines.push(`# ${line}`.trimEnd());
    lines.push(`${r.status === 'pass' ? 'ok' : 'not ok'} ${i + 1} ${ktapName(r.name)}`);
  });
  const count = (s: TestResult['status']) => results.filter((r) => r.status === s).length;
  lines.push(`# Totals: pass:${count('pass')} fail:${count('fail')} xfail:0 xpass:0 skip:0 error:${count('error')}`);
  return `${lines.join('\n')}\n`;
}
