/**
 * Results as KTAP, the way the kselftest runner prints them
 * (tools/testing/selftests/kselftest/runner.sh and kselftest.h): a header, a
 * plan, one `ok`/`not ok` line per test with the SKIP and TIMEOUT directives,
 * the test's own output as `# ` diagnostic lines, and the Totals line, then
 * one plain summary line for people and CI logs.
 */
import type { TestResult } from './qemu';

export interface KtapOptions {
  /** the output of passing and skipped tests too (by default only failures show theirs) */
  verbose?: boolean;
}

/** Kernel messages worth showing even when the test passed: a WARN_ON or worse in KVM is a finding. */
const KERNEL_TROUBLE = /WARNING:|BUG:|Oops|general protection|Call Trace|kernel BUG|RIP:/;

export function formatKtap(results: ReadonlyArray<TestResult>, opts: KtapOptions = {}): string {
  const out: string[] = ['TAP version 13', `1..${results.length}`];
  results.forEach((r, k) => {
    const n = k + 1;
    const failed = r.status === 'fail' || r.status === 'timeout';
    if (r.note && (failed || opts.verbose || r.status === 'pass')) out.push(diag(`${r.name}: ${r.note}`));
    if (failed) for (const l of r.details ?? []) out.push(diag(l));
    if (failed || opts.verbose) for (const l of lines(r.output)) out.push(diag(l));
    const trouble = r.kernelLog.some((l) => KERNEL_TROUBLE.test(l));
    if (failed || opts.verbose || trouble) for (const l of r.kernelLog) out.push(diag(`kernel: ${l}`));
    switch (r.status) {
      case 'pass':
        out.push(`ok ${n} ${r.name}`);
        break;
      case 'skip':
        out.push(`ok ${n} ${r.name} # SKIP ${skipReason(r.output)}`.trimEnd());
        break;
      case 'timeout':
        out.push(`not ok ${n} ${r.name} # TIMEOUT ${timeoutSeconds(r.note)}`.trimEnd());
        break;
      case 'fail':
        out.push(`not ok ${n} ${r.name}`);
        break;
    }
  });
  const c = counts(results);
  out.push(`# Totals: pass:${c.passed} fail:${c.failed} xfail:0 xpass:0 skip:${c.skipped} error:0`);
  out.push(summaryLine(results));
  return `${out.join('\n')}\n`;
}

export function counts(results: ReadonlyArray<TestResult>): { passed: number; failed: number; skipped: number } {
  const passed = results.filter((r) => r.status === 'pass').length;
  const skipped = results.filter((r) => r.status === 'skip').length;
  return { passed, failed: results.length - passed - skipped, skipped };
}

/** The last line: `N passed, M failed, K skipped` (a timeout counts as failed). */
export function summaryLine(results: ReadonlyArray<TestResult>): string {
  const c = counts(results);
  return `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;
}

/**
 * Why a test skipped, from its output: kselftest's `1..0 # SKIP <why>` (what
 * TEST_REQUIRE prints, as `- Requirement not met: ...`), else its last line.
 */
export function skipReason(output: string): string {
  const ls = lines(output);
  for (let i = ls.length - 1; i >= 0; i--) {
    const m = /# SKIP\s*(?:- )?(.*)$/.exec(ls[i]);
    if (m) return m[1].trim();
  }
  return ls.length > 0 ? ls[ls.length - 1].trim() : '';
}

function timeoutSeconds(note: string): string {
  const m = /(\d+) s/.exec(note);
  return m ? `${m[1]} seconds` : '';
}

function lines(text: string): string[] {
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

function diag(line: string): string {
  return line === '' ? '#' : `# ${line}`;
}
