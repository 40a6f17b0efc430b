/**
 * The host-side logic of the kernel run that needs no QEMU: reading /init's
 * report lines, the status of a test from its exit, KTAP, the run directives
 * of a C file, the kernel release of a package version, error lines.
 * (The run itself is scripts/test-kernel.ts; docs/KERNEL-RUN.md.)
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDirectives } from '../src/kernel-run/directives';
import { keyLine } from '../src/kernel-run/exec';
import { formatKtap, skipReason, summaryLine } from '../src/kernel-run/ktap';
import { releaseOf } from '../src/kernel-run/packages';
import { crashExcerpt, FileFollower, type GuestTest, onReportLine, type Progress, resultOf, type TestResult } from '../src/kernel-run/qemu';

const fresh = (): Progress => ({ ready: false, done: false, setupFail: '', info: [], current: undefined, out: new Map(), dmesg: new Map() });
const test = (over: Partial<GuestTest> = {}): GuestTest => ({ name: 't', binary: '/nonexistent', timeoutSeconds: 10, ...over });
const end = (rc: number, seconds: number) => ({ index: 0, rc, seconds, lines: 1 });

describe('report lines from the guest', () => {
  it('follows a test from begin to end, keeping its output and kernel lines', () => {
    const p = fresh();
    for (const l of ['@@KR info hugepages 64', '@@KR ready', '@@KR begin 3', '@@KR out 3 hello world', '@@KR out 3 ', '@@KR dmesg 3 [ 1.0] kvm: hi']) expect(onReportLine(p, l)).toBeUndefined();
    expect(p.ready).toBe(true);
    expect(p.current).toBe(3);
    expect(p.out.get(3)).toEqual(['hello world', '']);
    expect(p.dmesg.get(3)).toEqual(['[ 1.0] kvm: hi']);
    expect(onReportLine(p, '@@KR end 3 0 10.50 12.75 2\r')).toEqual({ index: 3, rc: 0, seconds: 2.25, lines: 2 });
    onReportLine(p, '@@KR done');
    expect(p.done).toBe(true);
  });

  it('ignores lines without the marker and keeps a setup failure', () => {
    const p = fresh();
    expect(onReportLine(p, 'random console noise @@KR end 1 0 0 0 0')).toBeUndefined();
    onReportLine(p, '@@KR setup-fail insmod kvm-amd.ko npt=1: invalid module format');
    expect(p.setupFail).toBe('insmod kvm-amd.ko npt=1: invalid module format');
  });
});

describe('the report file, followed as QEMU appends to it', () => {
  it('gives every line once, in order, however the writes split lines and characters', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gmem-follow-')), 'report.log');
    const lines: string[] = [];
    const follower = new FileFollower(file, (l) => lines.push(l));
    follower.poll(); // no file yet: nothing, no error
    const text = Buffer.from('@@KR begin 3\n@@KR out 3 gmem: step 1 (convert) \u00d7 2\n@@KR end 3 0 1.0 2.0 4\n@@KR done');
    // Cut inside a line and inside the two-byte character.
    const cuts = [5, 20, text.indexOf(0xc3) + 1, text.length - 3, text.length];
    let from = 0;
    writeFileSync(file, '');
    for (const to of cuts) {
      appendFileSync(file, text.subarray(from, to));
      from = to;
      follower.poll();
    }
    follower.close();
    expect(lines).toEqual(['@@KR begin 3', '@@KR out 3 gmem: step 1 (convert) \u00d7 2', '@@KR end 3 0 1.0 2.0 4', '@@KR done']);
  });
});

describe('status of a test', () => {
  it('exit 0 passes, 4 (KSFT_SKIP) skips, 254 (TEST_ASSERT) fails', () => {
    expect(resultOf(test(), end(0, 1), [], []).status).toBe('pass');
    expect(resultOf(test(), end(4, 1), [], []).status).toBe('skip');
    const f = resultOf(test(), end(254, 1), [], []);
    expect([f.status, f.note]).toEqual(['fail', 'exit 254']);
  });

  it('a SIGKILL at the time limit is a timeout; one before it is a failure', () => {
    expect(resultOf(test(), end(137, 10.01), [], []).status).toBe('timeout');
    const early = resultOf(test(), end(137, 3), [], []);
    expect([early.status, early.note]).toEqual(['fail', 'killed by signal 9']);
  });

  it('a test meant to hang passes when killed at its limit and fails when it exits', () => {
    expect(resultOf(test({ expectTimeout: true }), end(137, 10), [], []).status).toBe('pass');
    expect(resultOf(test({ expectTimeout: true }), end(0, 0.2), [], []).status).toBe('fail');
  });

  it('says how many output lines were not kept', () => {
    const r = resultOf(test(), { index: 0, rc: 1, seconds: 1, lines: 5 }, ['d', 'e'], []);
    expect(r.output.split('\n')).toEqual(['[... 3 earlier lines not kept]', 'd', 'e']);
  });
});

describe('KTAP', () => {
  const r = (name: string, status: TestResult['status'], output = '', note = '', kernelLog: string[] = []): TestResult => ({ name, status, rc: 0, output, seconds: 1, kernelLog, note });

  it('prints what kselftest prints, then the summary line', () => {
    const text = formatKtap([
      r('kernel/guest_memfd_test', 'pass'),
      r('b', 'fail', 'line one\n\nline three', 'exit 254'),
      r('c', 'skip', 'Random seed: 1\n1..0 # SKIP - Requirement not met: kvm_has_cap(X)'),
      r('d', 'timeout', '', 'killed after its time limit of 30 s'),
    ]);
    expect(text).toBe(
      [
        'TAP version 13',
        '1..4',
        'ok 1 kernel/guest_memfd_test',
        '# b: exit 254',
        '# line one',
        '#',
        '# line three',
        'not ok 2 b',
        'ok 3 c # SKIP Requirement not met: kvm_has_cap(X)',
        '# d: killed after its time limit of 30 s',
        'not ok 4 d # TIMEOUT 30 seconds',
        '# Totals: pass:1 fail:2 xfail:0 xpass:0 skip:1 error:0',
        '1 passed, 2 failed, 1 skipped',
        '',
      ].join('\n'),
    );
  });

  it('shows a kernel WARNING even under a passing test', () => {
    const text = formatKtap([r('a', 'pass', 'quiet', '', ['WARNING: CPU: 0 PID: 1 at arch/x86/kvm/mmu/mmu.c:1 x'])]);
    expect(text).toContain('# kernel: WARNING: CPU: 0 PID: 1 at arch/x86/kvm/mmu/mmu.c:1 x\nok 1 a');
    expect(text).not.toContain('# quiet');
  });

  it('takes the skip reason from the last line when there is no SKIP line', () => {
    expect(skipReason('a\nno kvm here\n')).toBe('no kvm here');
    expect(summaryLine([])).toBe('0 passed, 0 failed, 0 skipped');
  });
});

describe('the rest', () => {
  it('reads run directives from the top of a C file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kr-'));
    writeFileSync(join(dir, 'a.c'), '/* kernel-run: timeout=7 expect-timeout */\nint main(void) { for (;;); }\n');
    writeFileSync(join(dir, 'b.c'), 'int main(void) { return 0; }\n');
    expect(readDirectives(join(dir, 'a.c'))).toEqual({ timeoutSeconds: 7, expectTimeout: true });
    expect(readDirectives(join(dir, 'b.c'))).toEqual({ expectTimeout: false });
  });

  it('derives the kernel release from the package version', () => {
    expect(releaseOf('6.12.118-1~deb12u1')).toBe('6.12.118+deb12-amd64');
  });

  it('picks the line that says why a command failed', () => {
    expect(keyLine('Reading package lists...\nE: Unable to locate package foo\n')).toBe('E: Unable to locate package foo');
    expect(keyLine('CC x.o\nx.c:1:2: error: boom\nmake[1]: *** [x.o] Error 1\nmake: *** [all] Error 2\n')).toBe('x.c:1:2: error: boom');
    expect(keyLine('tar: something odd\nmake: *** [all] Error 2')).toBe('tar: something odd');
  });

  it('starts a crash excerpt at the kernel report and leaves out the unwinder guesses', () => {
    const console = ['[ 1.0] booted', '[ 2.0] BUG: kernel NULL pointer dereference', '[ 2.0]  ? guess+0x1/0x2', '[ 2.0]  real_frame+0x3/0x4'].join('\n');
    expect(crashExcerpt(console)).toBe('[ 2.0] BUG: kernel NULL pointer dereference\n[ 2.0]  real_frame+0x3/0x4');
  });
});
