/**
 * The guest's whole userland: an initramfs with a static busybox, the four
 * modules, the test binaries and an /init that loads the modules and runs the
 * tests one after the other, reporting on the second serial port (ttyS1).
 * Packed with cpio and zstd (the measurement is at packInitramfs).
 *
 * The report goes to ttyS1, not the console, because the console also carries
 * the kernel's messages, which may land in the middle of a line; ttyS1 carries
 * only /init's lines, each starting with MARKER (the format is with it;
 * qemu.ts parses it).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ADDR2LINE_STUB } from './backtrace';
import type { KernelModule } from './build';
import { KernelRunError, run } from './exec';

/**
 * Starts every line /init writes to ttyS1:
 *   @@KR info <text>                  hugepages, module parameters, for the log
 *   @@KR setup-fail <text>            a module did not load, or no /dev/kvm
 *   @@KR ready                        modules loaded, tests start
 *   @@KR begin <i>
 *   @@KR out <i> <line>               the last lines of test i's output
 *   @@KR dmesg <i> <line>             kernel messages logged while test i ran
 *   @@KR end <i> <rc> <start> <end> <lines>   exit code, guest uptime at start
 *                                     and end, how many lines the test wrote
 *   @@KR done
 */
export const MARKER = '@@KR';

/** One test as the guest runs it: numbered, a time limit, its command. */
export interface GuestCommand {
  index: number;
  timeoutSeconds: number;
  binary: string;
  args: ReadonlyArray<string>;
}

export interface InitramfsOptions {
  busybox: string;
  modules: ReadonlyArray<KernelModule>;
  /** how many 2 MB huge pages to reserve (the hugetlb variants of the tests need them) */
  hugepages: number;
  /** lines of each test's output kept */
  tailLines: number;
}

export interface PackedInitramfs {
  path: string;
  /** bytes of the files before compression */
  unpackedBytes: number;
  /** bytes of the compressed archive */
  bytes: number;
}

/**
 * Lays out the root in `work`/root and packs it as `work`/initrd.zst. A binary
 * used by several tests (the same test with other arguments) is copied once.
 */
export function packInitramfs(work: string, commands: ReadonlyArray<GuestCommand>, opts: InitramfsOptions): PackedInitramfs {
  const root = join(work, 'root');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'mods', 'tests', 'run']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(opts.busybox, join(root, 'bin', 'busybox'));
  chmodSync(join(root, 'bin', 'busybox'), 0o755);
  symlinkSync('busybox', join(root, 'bin', 'sh'));
  writeFileSync(join(root, 'bin', 'addr2line'), ADDR2LINE_STUB, { mode: 0o755 });
  let unpackedBytes = statSync(opts.busybox).size;

  const mods = opts.modules.map((m, i) => {
    const name = `${i}-${basename(m.path)}`;
    copyFileSync(m.path, join(root, 'mods', name));
    unpackedBytes += statSync(m.path).size;
    return { name, params: m.params };
  });

  const copied = new Map<string, string>();
  for (const c of commands) {
    const abs = resolve(c.binary);
    if (copied.has(abs)) continue;
    const name = `${copied.size}-${basename(abs)}`;
    copyFileSync(abs, join(root, 'tests', name));
    copied.set(abs, name);
  }
  // --strip-debug: the DWARF is a third of a static test binary and the guest
  // has no addr2line to read it (backtrace.ts resolves addresses on the host).
  // One strip for many files: a process per file cost 8 s for 200 tests.
  const copies = [...copied.values()].map((n) => join(root, 'tests', n));
  for (let k = 0; k < copies.length; k += 200) run('strip', ['--strip-debug', ...copies.slice(k, k + 200)]);
  for (const f of copies) unpackedBytes += statSync(f).size;
  // One script per test so its arguments are quoted once, here; `exec` so the time
  // limit's signal reaches the test itself.
  for (const c of commands) {
    const cmd = [`/tests/${copied.get(resolve(c.binary))}`, ...c.args].map(shQuote).join(' ');
    writeFileSync(join(root, 'run', `${c.index}`), `exec ${cmd}\n`);
  }
  writeFileSync(join(root, 'run', 'list'), commands.map((c) => `${c.index} ${Math.max(1, Math.ceil(c.timeoutSeconds))}\n`).join(''));
  writeFileSync(join(root, 'init'), initScript(mods, opts));
  chmodSync(join(root, 'init'), 0o755);

  const path = join(work, 'initrd.zst');
  // zstd with a 128 MB window (--long=27): the static test binaries are nearly
  // all the same libc and kvm library, and only a window that spans many of
  // them sees that. Measured with 200 tests (220 MB of files): zstd 1.6 MB in
  // 4 s, guest at /init after 4.1 s; gzip -1 107 MB, 8.5 s; xz with a 64 MB
  // dictionary 1.5 MB but 77 s to compress. The kernel takes zstd windows up
  // to 2 GB (lib/decompress_unzstd.c; Debian has CONFIG_RD_ZSTD=y).
  const res = spawnSync('sh', ['-c', 'cd "$1" && find . | cpio -o -H newc -R 0:0 --quiet | zstd -q -T0 -3 --long=27 > "$2"', 'pack', root, path], { encoding: 'utf8' });
  if (res.status !== 0) throw new KernelRunError(`packing the initramfs failed: ${(res.stderr || res.error?.message || '').trim()}`);
  return { path, unpackedBytes, bytes: statSync(path).size };
}

function shQuote(s: string): string {
  return /^[A-Za-z0-9_./=:,+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function initScript(mods: ReadonlyArray<{ name: string; params: string }>, opts: InitramfsOptions): string {
  const insmods = mods
    .map((m) => `insmod /mods/${m.name} ${m.params} >/tmp/insmod 2>&1 || setup_fail "insmod ${m.name.replace(/^\d+-/, '')} ${m.params}: $(tail -n 1 /tmp/insmod)"`)
    .join('\n');
  return `#!/bin/sh
# Written by gmem-model (src/kernel-run/initramfs.ts).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec 3>/dev/ttyS1
stty -F /dev/ttyS1 -opost
r() { echo "${MARKER} $*" >&3; }
# A write to a tty returns once the line is in the kernel's buffer, and
# poweroff -f cuts the power at once: the last report lines (a test's end,
# done) were lost now and then. Closing the last descriptor of ttyS1 waits
# until the UART has sent everything (tty_port_close_start, closing_wait 30 s).
off() { exec 3>&-; poweroff -f; }
setup_fail() { r setup-fail "$*"; dmesg | tail -n 20 | sed 's/^/${MARKER} info dmesg: /' >&3; off; }
echo ${opts.hugepages} > /proc/sys/vm/nr_hugepages
r info hugepages $(cat /proc/sys/vm/nr_hugepages)
${insmods}
[ -c /dev/kvm ] || setup_fail "no /dev/kvm after loading the modules"
r info kvm_amd npt=$(cat /sys/module/kvm_amd/parameters/npt) nested=$(cat /sys/module/kvm_amd/parameters/nested)
dmesg -c >/dev/null
r ready
cd /tmp
while read i t; do
  r begin $i
  s=$(cut -d' ' -f1 /proc/uptime)
  timeout -s KILL $t sh /run/$i </dev/null >/tmp/out 2>&1
  rc=$?
  e=$(cut -d' ' -f1 /proc/uptime)
  tail -n ${opts.tailLines} /tmp/out | cut -c1-500 | sed "s/^/${MARKER} out $i /" >&3
  dmesg -c | tail -n 40 | sed "s/^/${MARKER} dmesg $i /" >&3
  r end $i $rc $s $e $(wc -l </tmp/out)
  echo "test $i rc=$rc"
done </run/list
r done
off
`;
}
