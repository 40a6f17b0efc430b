/**
 * Prepares what the QEMU run needs, once per Debian kernel version, under
 * <cache>/run-<package version>/ (<cache> is src/selftest/kernel-tree.ts's
 * cacheDir(): GMEM_KERNEL_CACHE, else ~/.cache/gmem-kernel):
 *
 *   debs/      the three pinned .deb files (apt-get download)
 *   deb/       their contents (dpkg-deb -x): boot/vmlinuz-<KR>, the stock
 *              modules, usr/src/linux-headers-<KR>/{.config,Module.symvers}
 *   src/       the full linux-source-6.12 tree: kvm.ko is rebuilt here and the
 *              kvm selftests are built here, statically
 *   modules/   the four modules the guest loads, in load order
 *   stamps/    one file per finished phase; logs/ one log per phase
 *
 * Each phase runs only when its stamp is missing, and clears the stamps of
 * the phases after it, so a second run rebuilds nothing and a run that died
 * half way resumes at the phase it was in.
 *
 * Why kvm.ko is rebuilt: Debian's config has CONFIG_KVM_PRIVATE_MEM=y but not
 * CONFIG_KVM_SW_PROTECTED_VM, which the private_mem_* selftests need (they
 * SKIP on the stock module). The option is used only in arch/x86/kvm (x86.c,
 * mmu/mmu.c), so kvm.ko and kvm-amd.ko rebuilt from the matching source with
 * Debian's exact .config and Module.symvers load into the stock kernel.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../selftest/kernel-tree';
import { writeHelperMakefile, HELPER_MAKEFILE } from './compile-static';
import { KernelRunError, type Log, run } from './exec';
import { withLock } from '../folder-lock';
import { downloadDebs, ensureHostTools, extractDebs, type KernelPackages, resolveKernelPackages, SOURCE_PACKAGE } from './packages';

/** The kernel's own tests the harness must pass first, as paths in the kvm selftests folder. */
export const KERNEL_TESTS: ReadonlyArray<string> = ['guest_memfd_test', 'set_memory_region_test', 'x86_64/private_mem_conversions_test', 'x86_64/private_mem_kvm_exits_test'];

export const PHASES = ['download', 'extract', 'modules_prepare', 'modules', 'headers', 'selftest-lib', 'kernel-tests'] as const;
export type PhaseName = (typeof PHASES)[number];

/** Called after each phase (and after the host-package check, named 'packages'). */
export type PhaseReport = (name: PhaseName | 'packages', seconds: number, cached: boolean) => void;

export interface KernelModule {
  path: string;
  /** insmod parameters */
  params: string;
}

export interface PreparedKernel {
  /** Debian package version, e.g. 6.12.118-1~deb12u1 */
  version: string;
  /** uname -r, e.g. 6.12.118+deb12-amd64 */
  release: string;
  /** <cache>/run-<version> */
  root: string;
  vmlinuz: string;
  /** irqbypass, ccp, kvm, kvm-amd: the order insmod needs */
  modules: ReadonlyArray<KernelModule>;
  /** tools/testing/selftests/kvm of the full tree, its library built static */
  kvmDir: string;
  /** the kernel's own tests, built static: name kernel/<path>, binary path */
  kernelTests: ReadonlyArray<{ name: string; binary: string }>;
}

export interface PrepareOptions {
  log?: Log;
  onPhase?: PhaseReport;
}

/** Runs the missing phases (see the file comment) and returns the prepared paths. */
export function prepareKernel(opts: PrepareOptions = {}): PreparedKernel {
  const log = opts.log ?? (() => {});
  const onPhase = opts.onPhase ?? (() => {});
  const started = Date.now();
  ensureHostTools(log);
  const pkgs = resolveKernelPackages(log);
  onPhase('packages', (Date.now() - started) / 1000, false);

  const layout = layoutFor(pkgs);
  mkdirSync(layout.root, { recursive: true });
  const steps = phaseSteps(pkgs, layout, log);
  withLock(`${layout.root}.lock`, log, () => {
    for (const name of PHASES) {
      const stamp = join(layout.stamps, `${name}.done`);
      if (existsSync(stamp)) {
        onPhase(name, 0, true);
        continue;
      }
      // Later phases built on what this one is about to redo.
      for (const later of PHASES.slice(PHASES.indexOf(name) + 1)) rmSync(join(layout.stamps, `${later}.done`), { force: true });
      log(`${name}: running (log: ${join(layout.logs, `${name}.log`)})`);
      rmSync(join(layout.logs, `${name}.log`), { force: true });
      const t = Date.now();
      steps[name]();
      const seconds = (Date.now() - t) / 1000;
      mkdirSync(layout.stamps, { recursive: true });
      writeFileSync(stamp, `${seconds.toFixed(1)} s, ${new Date().toISOString()}\n`);
      onPhase(name, seconds, false);
    }
  }, (message) => new KernelRunError(message));
  return prepared(pkgs, layout);
}

interface Layout {
  root: string;
  debs: string;
  deb: string;
  src: string;
  headers: string;
  modules: string;
  stamps: string;
  logs: string;
  kvmDir: string;
}

function layoutFor(pkgs: KernelPackages): Layout {
  const root = join(cacheDir(), `run-${pkgs.version}`);
  const src = join(root, 'src');
  return {
    root,
    debs: join(root, 'debs'),
    deb: join(root, 'deb'),
    src,
    headers: join(root, 'deb', 'usr', 'src', `linux-headers-${pkgs.release}`),
    modules: join(root, 'modules'),
    stamps: join(root, 'stamps'),
    logs: join(root, 'logs'),
    kvmDir: join(src, 'tools', 'testing', 'selftests', 'kvm'),
  };
}

function prepared(pkgs: KernelPackages, l: Layout): PreparedKernel {
  const mod = (name: string, params = '') => ({ path: join(l.modules, `${name}.ko`), params });
  return {
    version: pkgs.version,
    release: pkgs.release,
    root: l.root,
    vmlinuz: join(l.deb, 'boot', `vmlinuz-${pkgs.release}`),
    // npt=1: nested paging; KVM_X86_SW_PROTECTED_VM needs the TDP MMU (with npt=0 the private_mem tests SKIP).
    modules: [mod('irqbypass'), mod('ccp'), mod('kvm'), mod('kvm-amd', 'npt=1')],
    kvmDir: l.kvmDir,
    kernelTests: KERNEL_TESTS.map((t) => ({ name: `kernel/${t}`, binary: join(l.kvmDir, t) })),
  };
}

function phaseSteps(pkgs: KernelPackages, l: Layout, log: Log): Record<PhaseName, () => void> {
  const jobs = `-j${cpus().length}`;
  const logFile = (name: PhaseName) => join(l.logs, `${name}.log`);
  // The compiler Debian built the kernel with, named as in its CONFIG_CC_VERSION_TEXT, so
  // olddefconfig keeps every compiler-dependent option; KERNELRELEASE makes vermagic match.
  // Debian built without a Rust toolchain: a rustc on this host would turn the
  // CONFIG_RUSTC_* probes from Debian's 0 into its version, so none is offered.
  const kmake = (phase: PhaseName, ...args: string[]) => run('make', ['-C', l.src, `CC=x86_64-linux-gnu-gcc-12`, 'RUSTC=/nonexistent/rustc', 'BINDGEN=/nonexistent/bindgen', `KERNELRELEASE=${pkgs.release}`, ...args], { logFile: logFile(phase) });
  return {
    download: () => {
      downloadDebs(pkgs, l.debs, log);
    },
    extract: () => {
      rmSync(l.deb, { recursive: true, force: true });
      rmSync(l.src, { recursive: true, force: true });
      const debs = ['linux-image', 'linux-headers', 'linux-source'].map((p) => findDeb(l.debs, p));
      extractDebs(debs, l.deb);
      // The full tree: Kconfig reads drivers/ and fs/ too (the partial tree that
      // kernel-tree.ts unpacks stops olddefconfig at arch/x86/Kconfig).
      const tarball = join(l.deb, 'usr', 'src', `${SOURCE_PACKAGE}.tar.xz`);
      const unpacked = join(l.root, SOURCE_PACKAGE);
      rmSync(unpacked, { recursive: true, force: true });
      run('tar', ['-xf', tarball, '-C', l.root], { logFile: logFile('extract') });
      renameSync(unpacked, l.src);
      rmSync(tarball); // 150 MB; debs/ still holds it
    },
    modules_prepare: () => {
      copyFileSync(join(l.headers, '.config'), join(l.src, '.config'));
      copyFileSync(join(l.headers, 'Module.symvers'), join(l.src, 'Module.symvers'));
      // MODULE_SIG_ALL off: the modules are loaded unsigned (a taint, not an error, on this kernel).
      run(join(l.src, 'scripts', 'config'), ['--file', join(l.src, '.config'), '-e', 'KVM_SW_PROTECTED_VM', '-d', 'MODULE_SIG_ALL']);
      kmake('modules_prepare', '-s', 'olddefconfig');
      checkConfig(join(l.headers, '.config'), join(l.src, '.config'), join(l.logs, 'config-diff.txt'));
      kmake('modules_prepare', '-s', jobs, 'modules_prepare');
    },
    modules: () => {
      // Builds kvm-intel.ko too: leaving it out would mean changing CONFIG_KVM_INTEL, which kvm.ko also reads.
      kmake('modules', '-s', jobs, 'M=arch/x86/kvm', 'modules');
      rmSync(l.modules, { recursive: true, force: true });
      mkdirSync(l.modules, { recursive: true });
      for (const m of ['kvm', 'kvm-amd']) run('strip', ['--strip-debug', '-o', join(l.modules, `${m}.ko`), join(l.src, 'arch', 'x86', 'kvm', `${m}.ko`)]);
      // The stock modules kvm needs, from the image package (xz-compressed there; busybox insmod wants them plain).
      const stock = join(l.deb, 'lib', 'modules', pkgs.release, 'kernel');
      for (const [m, rel] of [['irqbypass', 'virt/lib/irqbypass.ko.xz'], ['ccp', 'drivers/crypto/ccp/ccp.ko.xz']] as const) {
        copyFileSync(join(stock, rel), join(l.modules, `${m}.ko.xz`));
        run('xz', ['-d', '-f', join(l.modules, `${m}.ko.xz`)]);
      }
    },
    headers: () => {
      // `make headers`, not headers_install: that one needs rsync, absent on a fresh machine.
      kmake('headers', '-s', 'headers');
    },
    'selftest-lib': () => {
      writeHelperMakefile(l.kvmDir);
      // -static: the guest has no libc, only busybox.
      run('make', ['-C', l.kvmDir, jobs, '-f', 'Makefile', '-f', HELPER_MAKEFILE, 'EXTRA_CFLAGS=-static', 'gmem-libkvm'], { logFile: logFile('selftest-lib') });
    },
    'kernel-tests': () => {
      run('make', ['-C', l.kvmDir, jobs, 'EXTRA_CFLAGS=-static', ...KERNEL_TESTS.map((t) => join(l.kvmDir, t))], { logFile: logFile('kernel-tests') });
    },
  };
}

function findDeb(dir: string, prefix: string): string {
  const name = readdirSafe(dir).find((f) => f.startsWith(`${prefix}-`) && f.endsWith('.deb'));
  if (!name) throw new KernelRunError(`no ${prefix}-*.deb in ${dir}`);
  return join(dir, name);
}

function readdirSafe(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

/**
 * Our .config must differ from Debian's only where we asked. BTF above all:
 * CONFIG_DEBUG_INFO_BTF_MODULES changes struct module, and a kvm.ko built
 * without it fails to load ("Invalid relocation target"); olddefconfig drops
 * BTF silently when pahole (dwarves) is missing. The diff is kept in the log
 * folder for a reviewer.
 */
function checkConfig(debian: string, ours: string, diffFile: string): void {
  const parse = (f: string) => new Map(readFileSync(f, 'utf8').split('\n').flatMap((l) => {
    const set = /^(CONFIG_\w+)=(.*)$/.exec(l);
    if (set) return [[set[1], set[2]] as const];
    const unset = /^# (CONFIG_\w+) is not set$/.exec(l);
    return unset ? [[unset[1], 'n'] as const] : [];
  }));
  const a = parse(debian);
  const b = parse(ours);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changed = keys.filter((k) => (a.get(k) ?? 'n') !== (b.get(k) ?? 'n'));
  writeFileSync(diffFile, changed.map((k) => `${k}: ${a.get(k) ?? 'n'} -> ${b.get(k) ?? 'n'}\n`).join(''));
  if (b.get('CONFIG_KVM_SW_PROTECTED_VM') !== 'y') throw new KernelRunError(`olddefconfig did not keep CONFIG_KVM_SW_PROTECTED_VM=y (see ${diffFile})`);
  const expected = new Set(['CONFIG_KVM_SW_PROTECTED_VM', 'CONFIG_MODULE_SIG_ALL']);
  const unexpected = changed.filter((k) => !expected.has(k));
  if (unexpected.length > 0) {
    const btf = unexpected.some((k) => k.startsWith('CONFIG_DEBUG_INFO'));
    throw new KernelRunError(`the rebuilt kvm.ko would not match Debian's kernel: olddefconfig changed ${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ', ...' : ''}${btf ? ' (BTF needs pahole: apt-get install dwarves)' : ''} (see ${diffFile})`);
  }
}
