/**
 * The Debian packages the kernel run needs, from apt only:
 *
 * - host tools, installed when missing: QEMU, a static busybox for the guest,
 *   cpio for the initramfs, and what building kvm.ko and the selftests takes.
 *   `dwarves` (pahole) is among them because without it `make olddefconfig`
 *   silently drops CONFIG_DEBUG_INFO_BTF, and a kvm.ko built without it does
 *   not load into Debian's kernel ("Invalid relocation target": the option
 *   changes the layout of struct module; docs/KERNEL-RUN.md).
 * - the kernel itself, downloaded and extracted, never installed: the image
 *   (vmlinuz and the stock modules), the headers (Debian's exact .config and
 *   Module.symvers) and the full source. All three are pinned to the one
 *   version apt offers for linux-source-6.12, so the modules rebuilt from that
 *   source match the image they are loaded into.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, KernelRunError, type Log, run } from './exec';

export const SOURCE_PACKAGE = 'linux-source-6.12';

/** Host packages; the comment of each says what needs it. */
export const HOST_PACKAGES: ReadonlyArray<string> = [
  'qemu-system-x86', // the guest (TCG: no /dev/kvm here)
  'busybox-static', // the guest's only userland: sh, insmod, timeout, dmesg
  'cpio', // packs the initramfs
  'zstd', // compresses it (initramfs.ts has the measurement against gzip and xz)
  'xz-utils', // the stock .ko.xz modules and the source tarball
  'gcc',
  'gcc-12', // x86_64-linux-gnu-gcc-12: the compiler Debian built the kernel with (CONFIG_CC_VERSION_TEXT)
  'make',
  'libc6-dev', // libc.a for the static selftests
  'flex',
  'bison',
  'bc',
  'libelf-dev', // objtool, modpost
  'libssl-dev', // sign-file and certs tooling built by modules_prepare
  'dwarves', // pahole: keeps CONFIG_DEBUG_INFO_BTF (see the file comment)
];

export interface KernelPackages {
  /** Debian package version, e.g. 6.12.118-1~deb12u1 */
  version: string;
  /** kernel release (uname -r), e.g. 6.12.118+deb12-amd64 */
  release: string;
  /** the three packages as `name=version`, for apt-get download */
  pinned: ReadonlyArray<string>;
}

let aptUpdated = false;

/** Host packages of HOST_PACKAGES that dpkg does not list as installed. */
export function missingHostPackages(): string[] {
  // dpkg-query exits 1 when a package was never known; the ones it knows are still printed.
  let out = '';
  try {
    out = run('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\\n', ...HOST_PACKAGES]);
  } catch (err) {
    if (!(err instanceof KernelRunError) || /not installed/.test(err.message)) throw err;
    out = queryLenient();
  }
  const installed = new Set(out.split('\n').filter((l) => / ii/.test(l)).map((l) => l.split(' ')[0]));
  return HOST_PACKAGES.filter((p) => !installed.has(p));
}

function queryLenient(): string {
  // run() threw because of exit 1; ask again per package so each answer is kept.
  return HOST_PACKAGES.map((p) => {
    try {
      return run('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\\n', p]);
    } catch {
      return '';
    }
  }).join('');
}

/** Installs the missing host packages; calls apt only when something is missing. */
export function ensureHostTools(log: Log): void {
  const missing = missingHostPackages();
  if (missing.length === 0) return;
  requireRoot(`host packages missing: ${missing.join(' ')}`);
  aptUpdate(log);
  log(`apt-get install ${missing.join(' ')}`);
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  const still = missingHostPackages();
  if (still.length > 0) throw new KernelRunError(`apt-get install finished but these are still not installed: ${still.join(' ')}`);
}

/**
 * The version to use: apt's Candidate for linux-source-6.12 (read from the
 * local package lists; `apt-get update` only when there is none, as on a
 * fresh machine). The image and headers must exist at that same version.
 */
export function resolveKernelPackages(log: Log): KernelPackages {
  let version = candidate(SOURCE_PACKAGE);
  if (!version) {
    requireRoot(`apt knows no candidate for ${SOURCE_PACKAGE} (no package lists?)`);
    aptUpdate(log);
    version = candidate(SOURCE_PACKAGE);
  }
  if (!version) throw new KernelRunError(`apt has no ${SOURCE_PACKAGE}: linux 6.12 is in bookworm-security; add it to the apt sources`);
  const release = releaseOf(version);
  const image = `linux-image-${release}-unsigned`;
  const headers = `linux-headers-${release}`;
  const both = candidates([image, headers]); // one apt-cache call: each reads all the lists (~1 s)
  for (const p of [image, headers]) {
    const v = both.get(p);
    if (v !== version) throw new KernelRunError(`${p} is ${v ? `at ${v}` : 'not known to apt'}, not at ${SOURCE_PACKAGE}'s ${version}: the kernel and its source must match`);
  }
  return { version, release, pinned: [image, headers, SOURCE_PACKAGE].map((p) => `${p}=${version}`) };
}

/**
 * uname -r of Debian's kernel for a package version: the upstream version,
 * `+debNN` and the flavour, as in 6.12.118-1~deb12u1 -> 6.12.118+deb12-amd64.
 * A backport names its release in the version (~deb12); in the release's own
 * archive (trixie: 6.12.38-1 -> 6.12.38+deb13-amd64) it is the OS release.
 */
export function releaseOf(version: string): string {
  const upstream = version.split('-')[0];
  const tagged = /~(deb\d+)/.exec(version)?.[1];
  const tag = tagged ?? `deb${osMajor()}`;
  return `${upstream}+${tag}-amd64`;
}

function osMajor(): string {
  const text = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
  const v = /^VERSION_ID="?(\d+)/m.exec(text)?.[1];
  if (!v) throw new KernelRunError('cannot tell the Debian release (/etc/os-release has no VERSION_ID)');
  return v;
}

function candidate(pkg: string): string | undefined {
  return candidates([pkg]).get(pkg);
}

/** apt's Candidate version of each package it knows (`(none)` counts as unknown). */
function candidates(pkgs: ReadonlyArray<string>): Map<string, string> {
  const found = new Map<string, string>();
  let current = '';
  for (const line of run('apt-cache', ['policy', ...pkgs]).split('\n')) {
    const name = /^(\S+):$/.exec(line)?.[1];
    if (name) current = name;
    const v = /^\s+Candidate:\s*(\S+)/.exec(line)?.[1];
    if (v && v !== '(none)' && current) found.set(current, v);
  }
  return found;
}

/** apt-get download of the three pinned packages into `dir` (emptied first). */
export function downloadDebs(pkgs: KernelPackages, dir: string, log: Log): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`apt-get download ${pkgs.pinned.join(' ')}`);
  // As root apt warns that the _apt sandbox user cannot write here; the download is fine.
  run('apt-get', ['download', '-q', ...pkgs.pinned], { cwd: dir });
  const debs = readdirSync(dir).filter((f) => f.endsWith('.deb'));
  if (debs.length !== 3) throw new KernelRunError(`apt-get download left ${debs.length} .deb files in ${dir}, expected 3`);
  return debs.map((f) => join(dir, f));
}

/** dpkg-deb -x of each package into `dest` (not installed: dpkg's database is untouched). */
export function extractDebs(debs: ReadonlyArray<string>, dest: string): void {
  mkdirSync(dest, { recursive: true });
  for (const d of debs) run('dpkg-deb', ['-x', d, dest]);
}

function aptUpdate(log: Log): void {
  if (aptUpdated) return;
  log('apt-get update');
  run('apt-get', ['update', '-q']);
  aptUpdated = true;
}

function requireRoot(why: string): void {
  if (!isRoot()) throw new KernelRunError(`${why}, and this is not root: run as root (apt-get is needed)`);
}
