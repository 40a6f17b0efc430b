/**
 * Compiles a folder of extra kvm selftests (C files that `#include
 * "kvm_util.h"` and use the kvm selftest library, as the generated ones do)
 * into static binaries for the guest, which has no libc.
 *
 * The rules are kernel-tree.ts's GMEM_MK: pattern rules appended to the kvm
 * selftests Makefile (`-f Makefile -f <helper>`) that reuse its $(CFLAGS),
 * $(LDFLAGS) and $(LIBKVM_OBJS), so a file is built exactly as the kernel's
 * own tests are, with -Werror added. -static comes in through the Makefile's
 * EXTRA_CFLAGS, the same way the library and the kernel's tests were built.
 *
 * The outputs stay in the cache (<run>/c/<folder>-<hash>/), so make's
 * timestamps make it incremental: an unchanged .c is not recompiled.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { GMEM_MK } from '../selftest/kernel-tree';
import { KernelRunError } from './exec';

/** Our copy of GMEM_MK in the kvm folder of the run's own tree. */
export const HELPER_MAKEFILE = 'gmem-kernel-run.mk';

export interface StaticCompileResult {
  /** file name without .c */
  name: string;
  source: string;
  ok: boolean;
  /** the static binary, when ok */
  binary?: string;
  /** the compiler's or linker's output for this file, when not ok */
  error: string;
}

/** Writes the helper makefile next to the kvm Makefile (only when its text changed). */
export function writeHelperMakefile(kvmDir: string): void {
  const file = join(kvmDir, HELPER_MAKEFILE);
  if (!existsSync(file) || readFileSync(file, 'utf8') !== GMEM_MK) writeFileSync(file, GMEM_MK);
}

/** Where the binaries of `cDir` are kept: one folder per source folder. */
export function staticOutDir(runRoot: string, cDir: string): string {
  const abs = resolve(cDir);
  const hash = createHash('sha256').update(abs).digest('hex').slice(0, 10);
  return join(runRoot, 'c', `${basename(abs)}-${hash}`);
}

/** make's file names cannot hold spaces or colons; the guest's /init quotes nothing either. */
const SAFE_NAME = /^[A-Za-z0-9_+.-]+$/;

/**
 * Compiles every .c file directly in `cDir` (sorted by name), `jobs` at a
 * time, and says per file whether it built and, if not, why. A file that
 * fails loses its old binary, so no stale test runs in its place.
 */
export function compileStatic(kernel: { kvmDir: string; root: string }, cDir: string, opts: { jobs?: number } = {}): StaticCompileResult[] {
  const src = resolve(cDir);
  if (!existsSync(src) || !statSync(src).isDirectory()) throw new KernelRunError(`${cDir} is not a folder`);
  const files = readdirSync(src).filter((f) => f.endsWith('.c')).sort();
  const out = staticOutDir(kernel.root, src);
  mkdirSync(out, { recursive: true });
  writeHelperMakefile(kernel.kvmDir);

  const names = files.map((f) => f.slice(0, -2));
  const buildable = names.filter((n) => SAFE_NAME.test(n));
  const make = (targets: string[], jobs: number) =>
    spawnSync('make', ['-s', '-C', kernel.kvmDir, '-k', `-j${jobs}`, '-f', 'Makefile', '-f', HELPER_MAKEFILE, 'EXTRA_CFLAGS=-static', `GMEM_SRC=${src}`, `GMEM_OUT=${out}`, ...targets], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (buildable.length > 0) {
    const res = make(buildable.map((n) => join(out, n)), opts.jobs ?? cpus().length);
    if (res.error) throw new KernelRunError(`make: ${res.error.message}`);
  }

  return names.map((name) => {
    const source = join(src, `${name}.c`);
    const binary = join(out, name);
    if (!SAFE_NAME.test(name)) return { name, source, ok: false, error: `file name not usable as a make target (letters, digits, _ + . - only)` };
    if (fresh(binary, source)) return { name, source, ok: true, binary, error: '' };
    // The batch's output interleaves the files; building this one alone again gives its own messages.
    rmSync(binary, { force: true });
    const alone = make([binary], 1);
    if (alone.status === 0 && fresh(binary, source)) return { name, source, ok: true, binary, error: '' };
    // make's own closing lines (`*** [...] Error 1`, `not remade because of errors`) add nothing to the compiler's.
    const error = `${alone.stdout ?? ''}${alone.stderr ?? ''}`.split('\n').filter((l) => !/^make(\[\d+\])?: /.test(l)).join('\n').trim();
    rmSync(binary, { force: true });
    return { name, source, ok: false, error: error || 'make built nothing and said nothing' };
  });
}

/** Built, and not older than its source (a failed rebuild can leave the previous binary). */
function fresh(binary: string, source: string): boolean {
  return existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs;
}
