/**
 * KTAP, as the kernel's kselftest prints it
 * (Documentation/dev-tools/ktap.rst; tools/testing/selftests/kselftest.h):
 *
 *   KTAP version 1
 *   1..N
 *   # diagnostics of test 1
 *   not ok 1 name
 *   ok 2 name
 *   ok 3 name # XFAIL INV-9 broken as declared: K2
 *   # Totals: pass:1 fail:1 xfail:1 xpass:0 skip:0 error:0
 *
 * The document is the kernel run's (src/kernel-run/ktap.ts); here only what a
 * replayed trace or a walked path is to it.
 */
import { ktapLines } from '../../kernel-run/ktap';
import type { TestResult } from './test-result';

export function toKtap(results: ReadonlyArray<TestResult>): string {
  const entries = results.map((r) => ({
    name: r.name,
    status: r.status,
    diagnostics: [...r.diagnostics, ...(r.notes ?? [])],
    ...(r.expectedFailure ? { reason: r.expectedFailure } : {}),
  }));
  return `${ktapLines('KTAP version 1', entries).join('\n')}\n`;
}
