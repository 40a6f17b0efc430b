/**
 * Obtains a kernel source tree with the kvm selftests' library built, so the
 * generated selftests can be compiled and linked exactly as the kernel's own
 * tests are (tools/testing/selftests/kvm/Makefile rules, its CFLAGS, its
 * LIBKVM_OBJS). Two sources, in order:
 *
 * 1. GMEM_KERNEL_TREE: a checkout (for example of the series); built in place,
 *    as a kernel developer would (`make headers`, then the lib objects).
 * 2. Debian's `linux-source-6.12` package (/usr/src/linux-source-6.12.tar.xz,
 *    installed with apt-get when missing and running as root), unpacked once
 *    under the cache folder (GMEM_KERNEL_CACHE, else $XDG_CACHE_HOME or
 *    ~/.cache, /gmem-kernel). It is prepared under a lock folder and marked
 *    ready last, so concurrent runs build it once and never use half a tree.
 *
 * The kvm Makefile is driven with one extra makefile (GMEM_MK below) that only
 * adds targets: `gmem-libkvm` (the library objects) and pattern rules that
 * build a generated file with the Makefile's own $(CFLAGS) plus -Werror and
 * link it against $(LIBKVM_OBJS) with its $(LDFLAGS) $(LDLIBS), and one that
 * compiles a part of a test (the runtime) after the part the test has before it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { withLock } from '../folder-lock';

export const DEBIAN_PACKAGE = 'linux-source-6.12';
export const DEBIAN_TARBALL = `/usr/src/${DEBIAN_PACKAGE}.tar.xz`;
const READY = '.gmem-ready';
const HELPER = 'gmem-selftest.mk';

/**
 * Appended to the kvm selftests Makefile with `-f Makefile -f gmem-selftest.mk`.
 * The rules reuse the Makefile's own variables; -Werror is the only addition.
 */
export const GMEM_MK = `# Written by gmem-model (src/selftest/kernel-tree.ts): adds targets only.
.PHONY: gmem-libkvm gmem-print-libkvm
gmem-libkvm: $(LIBKVM_OBJS)
gmem-print-libkvm:
\t@echo $(LIBKVM_OBJS)

ifneq ($(GMEM_SRC),)
$(GMEM_OUT)/%.o: $(GMEM_SRC)/%.c $(LIBKVM_OBJS)
\t$(CC) $(CFLAGS) -Werror $(CPPFLAGS) $(TARGET_ARCH) -c $< -o $@
$(GMEM_OUT)/%: $(GMEM_OUT)/%.o $(LIBKVM_OBJS)
\t$(CC) $(CFLAGS) -Werror $(CPPFLAGS) $(LDFLAGS) $(TARGET_ARCH) $< $(LIBKVM_OBJS) $(LDLIBS) -o $@
# A file that is part of a test, not one (src/selftest/c/): compiled after GMEM_PROLOGUE, never linked.
$(GMEM_OUT)/%.part.o: $(GMEM_SRC)/%.c
\t$(CC) $(CFLAGS) -Werror $(CPPFLAGS) $(TARGET_ARCH) -include $(GMEM_PROLOGUE) -c $< -o $@
endif
`;

export interface KernelTree {
  /** top of the kernel source tree */
  root: string;
  /** tools/testing/selftests/kvm inside it */
  kvmDir: string;
  /** where it came from, for messages */
  source: string;
}

export class KernelTreeError extends Error {
  override name = 'KernelTreeError';
}

type Log = (line: string) => void;

export function cacheDir(): string {
  if (process.env['GMEM_KERNEL_CACHE']) return resolve(process.env['GMEM_KERNEL_CACHE']);
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'gmem-kernel');
}

/** The prepared tree if it is there already (no work, no network). */
export function preparedTree(): KernelTree | undefined {
  const external = process.env['GMEM_KERNEL_TREE'];
  if (external) {
    const root = resolve(external);
    return existsSync(join(root, READY)) ? treeAt(root, `GMEM_KERNEL_TREE=${root}`) : undefined;
  }
  const root = join(cacheDir(), DEBIAN_PACKAGE);
  return existsSync(join(root, READY)) ? treeAt(root, `${DEBIAN_PACKAGE} (${root})`) : undefined;
}

function treeAt(root: string, source: string): KernelTree {
  return { root, kvmDir: join(root, 'tools/testing/selftests/kvm'), source };
}

/** Obtains and prepares the tree (see the file comment); idempotent. */
export function obtainKernelTree(log: Log = () => {}): KernelTree {
  const ready = preparedTree();
  if (ready) {
    // The helper makefile is ours; refresh it so a newer gmem-model's rules apply.
    writeFileSync(join(ready.kvmDir, HELPER), GMEM_MK);
    return ready;
  }
  const external = process.env['GMEM_KERNEL_TREE'];
  if (external) {
    const root = resolve(external);
    if (!existsSync(join(root, 'tools/testing/selftests/kvm/Makefile'))) {
      throw new KernelTreeError(`GMEM_KERNEL_TREE=${external}: no tools/testing/selftests/kvm/Makefile there (not a kernel tree)`);
    }
    prepare(root, log);
    return treeAt(root, `GMEM_KERNEL_TREE=${root}`);
  }
  ensureTarball(log);
  const cache = cacheDir();
  mkdirSync(cache, { recursive: true });
  // Several jest workers or worktrees may ask at once: one unpacks and builds, the others wait.
  return withLock(join(cache, '.lock'), log, () => {
    const again = preparedTree();
    if (again) return again; // another run prepared it while we waited
    const final = join(cache, DEBIAN_PACKAGE);
    rmSync(final, { recursive: true, force: true }); // a run that died half way
    log(`unpacking ${DEBIAN_TARBALL} into ${cache} (once)`);
    // drivers/, fs/, net/, sound/ and Documentation/ are most of the tarball
    // and take no part in `make headers` or the kvm selftests.
    run('tar', ['-xJf', DEBIAN_TARBALL, '-C', cache, ...['drivers', 'fs', 'net', 'sound', 'Documentation'].map((d) => `--exclude=${DEBIAN_PACKAGE}/${d}`)], log);
    prepare(final, log);
    return treeAt(final, `${DEBIAN_PACKAGE} (${final})`);
  }, (message) => new KernelTreeError(message));
}

function ensureTarball(log: Log): void {
  if (existsSync(DEBIAN_TARBALL)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new KernelTreeError(`${DEBIAN_TARBALL} is missing and this is not root: run 'apt-get install -y ${DEBIAN_PACKAGE}' as root, or set GMEM_KERNEL_TREE to a kernel checkout`);
  }
  log(`installing Debian's ${DEBIAN_PACKAGE} (apt-get)`);
  run('apt-get', ['update'], log);
  run('apt-get', ['install', '-y', '--no-install-recommends', DEBIAN_PACKAGE], log, { DEBIAN_FRONTEND: 'noninteractive' });
  if (!existsSync(DEBIAN_TARBALL)) throw new KernelTreeError(`apt-get installed ${DEBIAN_PACKAGE} but ${DEBIAN_TARBALL} is not there`);
}

/**
 * The uapi headers into the tree's usr/include, then the kvm selftests' library
 * objects. `make headers` writes usr/include, which is what the selftests read
 * (KHDR_INCLUDES = -isystem $(top_srcdir)/usr/include); `headers_install` only
 * copies that folder again with rsync, which a fresh Debian machine lacks.
 */
function prepare(root: string, log: Log): void {
  log(`make headers in ${root}`);
  run('make', ['-C', root, '-s', 'headers'], log);
  const kvmDir = join(root, 'tools/testing/selftests/kvm');
  buildLibrary(kvmDir, log);
  writeFileSync(join(root, READY), `${new Date().toISOString()}\n`);
}

function buildLibrary(kvmDir: string, log: Log): void {
  writeFileSync(join(kvmDir, HELPER), GMEM_MK);
  log(`make -C ${kvmDir} -f Makefile -f ${HELPER} gmem-libkvm`);
  run('make', ['-C', kvmDir, '-j2', '-f', 'Makefile', '-f', HELPER, 'gmem-libkvm'], log);
}

export interface CompileResult {
  file: string;
  ok: boolean;
  /** compiler and linker output (warnings are errors) */
  output: string;
}

/**
 * Compiles and links each generated C file in `srcDir` (names without .c in
 * `names`) with the kvm Makefile's rules, `jobs` at a time, into `outDir`.
 * Every file is tried (make -k); the result says which failed and why.
 */
export function compileSelftests(tree: KernelTree, srcDir: string, names: ReadonlyArray<string>, outDir: string, jobs = 2): CompileResult[] {
  mkdirSync(outDir, { recursive: true });
  const targets = names.map((n) => join(outDir, n));
  const res = spawnSync('make', ['-C', tree.kvmDir, '-k', `-j${jobs}`, '-f', 'Makefile', '-f', HELPER, `GMEM_SRC=${resolve(srcDir)}`, `GMEM_OUT=${resolve(outDir)}`, ...targets], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  return names.map((name) => {
    const ok = existsSync(join(outDir, name));
    // make -k reports each failure next to the command that failed: keep the lines naming this file.
    const mine = output.split('\n').filter((l) => l.includes(`/${name}.c`) || l.includes(`/${name}.o`) || l.includes(`/${name} `) || l.endsWith(`/${name}`));
    return { file: join(srcDir, `${name}.c`), ok, output: ok ? '' : mine.join('\n') || output };
  });
}

/**
 * Compiles one C file that is part of a test rather than a test (the runtime,
 * src/selftest/c/) with the kvm Makefile's CFLAGS plus -Werror, after
 * `prologue` (given to the compiler with -include: what a generated test has
 * before the file). The object goes into `outDir`; nothing is linked.
 */
export function compilePart(tree: KernelTree, file: string, prologue: string, outDir: string): CompileResult {
  mkdirSync(outDir, { recursive: true });
  const object = join(resolve(outDir), `${basename(file, '.c')}.part.o`);
  rmSync(object, { force: true });
  // This rule is newer than some gmem-model that may share the tree and rewrite its helper: bring our own copy.
  const helper = join(resolve(outDir), HELPER);
  writeFileSync(helper, GMEM_MK);
  const res = spawnSync('make', ['-s', '-C', tree.kvmDir, '-f', 'Makefile', '-f', helper, `GMEM_SRC=${dirname(resolve(file))}`, `GMEM_OUT=${resolve(outDir)}`, `GMEM_PROLOGUE=${resolve(prologue)}`, object], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { file, ok: res.status === 0 && existsSync(object), output: `${res.stdout ?? ''}${res.stderr ?? ''}` };
}

function run(cmd: string, args: string[], log: Log, env: Record<string, string> = {}): void {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  } catch (err) {
    const e = err as { status?: number; stderr?: Buffer; stdout?: Buffer; code?: string };
    if (e.code === 'ENOENT') throw new KernelTreeError(`'${cmd}' is not installed (needed to prepare the kernel tree)`);
    const tail = `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`.trim().split('\n').slice(-20).join('\n');
    log(tail);
    throw new KernelTreeError(`${cmd} ${args.join(' ')} failed (exit ${e.status ?? '?'}):\n${tail}`);
  }
}

/** For messages: what the cache folder holds. */
export function describeTree(tree: KernelTree): string {
  const stamp = join(tree.root, READY);
  return `${tree.source}${existsSync(stamp) ? `, prepared ${readFileSync(stamp, 'utf8').trim()}` : ''}`;
}
