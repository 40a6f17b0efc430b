/**
 * Source lines for the stack traces of failed kvm selftest assertions.
 *
 * On TEST_ASSERT failure the selftest library (lib/assert.c,
 * test_dump_stack) runs `addr2line -s -e /proc/$PPID/exe -fpai <addresses>
 * | cat -n`. The guest has no addr2line and its binaries are stripped of
 * debug info, so the guest gets a stub that only prints the addresses behind
 * a marker, and the host resolves them against the unstripped binary. The
 * tests are static and built without PIE (-fno-PIE in the kvm Makefile), so
 * an address means the same on both sides.
 */
import { spawnSync } from 'node:child_process';

const A2L = '@@A2L';

/** /bin/addr2line in the guest. */
export const ADDR2LINE_STUB = `#!/bin/sh
# Written by gmem-model (src/kernel-run/backtrace.ts): the host resolves these.
for a in "$@"; do
  case "$a" in -*|/*) ;; *) echo "${A2L} $a" ;; esac
done
`;

/** `output` with each stub line replaced by what addr2line says about the address in `binary`. */
export function symbolize(output: string, binary: string): string {
  const addrs = [...output.matchAll(new RegExp(`${A2L} ([0-9a-f]+)`, 'g'))].map((m) => m[1]);
  if (addrs.length === 0) return output;
  const res = spawnSync('addr2line', ['-s', '-e', binary, '-fpai', ...addrs], { encoding: 'utf8' });
  if (res.status !== 0 || !res.stdout) return output;
  const lines = res.stdout.trimEnd().split('\n');
  // addr2line -i may print several lines per address (inlined frames, starting with " (inlined by)").
  const perAddr = new Map<string, string>();
  let k = -1;
  for (const l of lines) {
    if (/^0x[0-9a-f]+: /.test(l)) perAddr.set(addrs[++k], l);
    else if (k >= 0) perAddr.set(addrs[k], `${perAddr.get(addrs[k])}\n       ${l.trim()}`);
  }
  return output.replace(new RegExp(`${A2L} ([0-9a-f]+)`, 'g'), (whole, a: string) => perAddr.get(a) ?? whole);
}
