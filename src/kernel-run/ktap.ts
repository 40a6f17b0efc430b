/**
 * Results as KTAP, the way the kselftest runner prints them
 * (tools/testing/selftests/kselftest/runner.sh and kselftest.h): a header, a
 * plan, one `ok`/`not ok` line per test with the XFAIL, SKIP and TIMEOUT directives,
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

/** What kselftest reports of one test; XFAIL, SKIP and TIMEOUT carry a reason after their directive. */
export type KtapStatus = 'pass' | 'fail' | 'error' | 'xfail' | 'skip' | 'timeout';

export interface KtapEntry {
  name: string;
  status: KtapStatus;
  /** after the directive: why it was skipped, expected to fail, or how long it ran before the timeout. */
  reason?: string;
  /** lines printed as `# ` before the result line, as ksft_print_msg does before ksft_test_result_*. */
  diagnostics: ReadonlyArray<string>;
}

const DIRECTIVES: Partial<Record<KtapStatus, string>> = { xfail: 'XFAIL', skip: 'SKIP', timeout: 'TIMEOUT' };

/** A name may not contain `#` (it would start a directive) or a line break. */
export function ktapName(name: string): string {
  return name.replace(/[\r\n]+/g, ' ').replace(/#/g, '_').trim() || '(unnamed)';
}

/**
 * The lines of a KTAP document: `header`, the plan, per test its diagnostics
 * and `ok`/`not ok N name [# DIRECTIVE reason]`, and the Totals line (a
 * timeout counts as a failure, as the runner's does).
 */
export function ktapLines(header: string, entries: ReadonlyArray<KtapEntry>): string[] {
  const out = [header, `1..${entries.length}`];
  entries.forEach((e, k) => {
    for (const d of e.diagnostics) for (const l of d.split('\n')) out.push(diag(l));
    const ok = e.status === 'pass' || e.status === 'xfail' || e.status === 'skip';
    const directive = DIRECTIVES[e.status];
    out.push(`${ok ? 'ok' : 'not ok'} ${k + 1} ${ktapName(e.name)}${directive ? ` # ${directive} ${e.reason ?? ''}`.trimEnd() : ''}`);
  });
  const count = (...s: KtapStatus[]) => entries.filter((e) => s.includes(e.status)).length;
  out.push(`# Totals: pass:${count('pass')} fail:${count('fail', 'timeout')} xfail:${count('xfail')} xpass:0 skip:${count('skip')} error:${count('error')}`);
  return out;
}

export function formatKtap(results: ReadonlyArray<TestResult>, opts: KtapOptions = {}): string {
  const entries = results.map((r): KtapEntry => {
    const failed = r.status === 'fail' || r.status === 'timeout';
    const trouble = r.kernelLog.some((l) => KERNEL_TROUBLE.test(l));
    const diagnostics = [
      ...(r.note && (failed || opts.verbose || r.status === 'pass') ? [`${r.name}: ${r.note}`] : []),
      ...(failed ? (r.details ?? []) : []),
      ...(failed || opts.verbose ? lines(r.output) : []),
      ...(failed || opts.verbose || trouble ? r.kernelLog.map((l) => `kernel: ${l}`) : []),
    ];
    const reason = r.status === 'skip' ? skipReason(r.output) : r.status === 'timeout' ? timeoutSeconds(r.note) : undefined;
    return { name: r.name, status: r.status, diagnostics, ...(reason !== undefined ? { reason } : {}) };
  });
  return `${[...ktapLines('TAP version 13', entries), summaryLine(results)].join('\n')}\n`;
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
  return `# ${line}`.trimEnd();
}
