/**
 * `gmem selftest`: which traces become kselftests, which are refused and why,
 * what the C says for each op and expectation, and the command's exit status.
 * The compile check against a real kernel tree is test/selftest-compile.test.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Trace } from '../src/selftest/contract';
import { loadTrace } from '../src/trace/replay';
import { emitSelftest, sanitize } from '../src/selftest/emit';
import { expandInputs, generateSelftests } from '../src/selftest/generate';
import { Scale } from '../src/selftest/scale';
import { runCli } from './support/run-cli';

const TRACES = join(__dirname, 'traces');

function generated(trace: Trace): string {
  const e = emitSelftest(trace, 'inline');
  if (!e.ok) throw new Error(`refused: ${e.refusal.path} ${e.refusal.reason}`);
  return e.source;
}

function refusal(trace: Trace) {
  const e = emitSelftest(trace, 'inline');
  if (e.ok) throw new Error('expected a refusal');
  return e.refusal;
}

const base = (steps: Trace['steps'], config: Trace['config'] = {}): Trace => ({ format: 'gmem-trace/1', name: 'inline-trace', config, steps });
const create = (flags: Array<'mmap' | 'init-shared' | 'hugetlb'> = ['mmap', 'hugetlb']) => ({ op: 'create' as const, size: 4194304, flags, expect: 'ok' as const });

describe('which traces become selftests', () => {
  const outcomes = generateSelftests(expandInputs([TRACES, join(TRACES, 'examples')]), undefined);

  it('every project trace is generated or refused with its step or config key named', () => {
    expect(outcomes.filter((o) => o.status === 'invalid')).toEqual([]);
    const written = outcomes.filter((o) => o.status === 'written');
    const refused = outcomes.flatMap((o) => (o.status === 'refused' ? [o] : []));
    expect(written.length).toBeGreaterThanOrEqual(10);
    for (const r of refused) expect(r.refusal.path).toMatch(/^\$\.(steps\[\d+\]|config\.\w+(\.\w+)?)$/);
  });

  it('refuses exactly what userspace cannot drive, naming the reason', () => {
    const why = (file: string) => {
      const o = outcomes.find((x) => x.file.endsWith(`/${file}`));
      return o?.status === 'refused' ? `${o.refusal.path} ${o.refusal.what}` : o?.status;
    };
    expect(why('k1-rfc-v2-failed-split-loses-mappings.json')).toBe('$.steps[3] inject');
    expect(why('lazy-split-fapending.json')).toBe('$.config.policy.split split lazy');
    expect(why('reset-after-truncate.json')).toBe('$.config.policy.afterTruncate afterTruncate reset');
    expect(why('tiny-geometry.json')).toBe('written'); // the model geometry, scaled to the kernel's
    expect(why('conversion-zeroes-tdx.json')).toBe('$.steps[1] guestWrite');
    expect(why('pin-refuses-to-private-with-error-offset.json')).toBe('written');
    expect(why('truncate-keeps-shareability.json')).toBe('written'); // every policy key set to the kernel's value
    expect(why('inplace-v8-4k-pages.json')).toBe('written');
  });
});

describe('the generated C', () => {
  const pinTrace = loadTrace(join(TRACES, 'pin-refuses-to-private-with-error-offset.json'));
  if (!pinTrace.ok) throw new Error(pinTrace.message);
  const c = generated(pinTrace.trace);

  it('is one kselftest_harness test named after the trace, with its description and source', () => {
    expect(c).toMatch(/#include "kselftest_harness.h"/);
    expect(c).toMatch(/^TEST_F_TIMEOUT\(gmem, pin_refuses_to_private_with_error_offset, 30\)$/m);
    // TEST_HARNESS_MAIN's body, after the requirements: a missing one exits KSFT_SKIP before the harness runs.
    expect(c).toMatch(/^int main\(int argc, char \*\*argv\)\n\{\n[\s\S]*\tgmem_require\(KVM_X86_SW_PROTECTED_VM, "KVM_X86_SW_PROTECTED_VM", GUEST_MEMFD_FLAG_SUPPORT_SHARED\);\n[\s\S]*\treturn test_harness_run\(argc, argv\);\n\}$/m);
    expect(c).toContain('trace "pin-refuses-to-private-with-error-offset"');
    expect(c).toContain('A pinned shared page blocks conversion to private');
  });

  it('defines the variant uapi under #ifndef, citing the tree', () => {
    expect(c).toMatch(/#ifndef KVM_GMEM_CONVERT_SHARED[\s\S]*_IOWR\(KVM_GMEM_IO, 0x41, struct kvm_gmem_convert\)/);
    expect(c).toMatch(/gmem-1g-page-support-rfc-v2/);
    expect(c).toMatch(/#ifndef GUEST_MEMFD_FLAG_INIT_PRIVATE\n#define GUEST_MEMFD_FLAG_INIT_PRIVATE\t\(1ULL << 1\)\n#endif/);
    expect(c).toMatch(/#define GMEM_CONVERT_RFC_V2/);
  });

  it('creates at the trace geometry and pool, and asserts errno and error_offset', () => {
    expect(c).toContain('__TEST_REQUIRE(gmem_set_pool(2), "needs root and 2 free 2 MiB huge page(s) and no other user of them");');
    expect(c).toContain('gmem_create(0x400000, GUEST_MEMFD_FLAG_SUPPORT_SHARED | GUEST_MEMFD_FLAG_HUGETLB | GUESTMEM_HUGETLB_FLAG_2MB, true, 0x200000);');
    expect(c).toContain('gmem_pin(0, 0x3000);');
    expect(c).toMatch(/gmem_convert\(0, 0x200000, true\);\n\tgmem_expect_err\(2, "convert", EAGAIN\);\n\tgmem_expect_error_offset\(2, "convert", 0x3000\);/);
    expect(c).toContain("the model's state, not observable from userspace: pages");
  });

  it('converts through KVM_SET_MEMORY_ATTRIBUTES2 on the in-place lineage, with its flags', () => {
    const v8 = generated(base([create(['mmap', 'init-shared']), { op: 'convert', offset: 0, length: 4096, to: 'private', expect: { error: 'EAGAIN', errorOffset: 0 } }], { variant: 'inplace-v8' }));
    expect(v8).not.toMatch(/#define GMEM_CONVERT_RFC_V2/);
    expect(v8).toMatch(/#ifndef KVM_SET_MEMORY_ATTRIBUTES2[\s\S]*__u64 error_offset;[\s\S]*_IOWR\(KVMIO, 0xd2, struct kvm_memory_attributes2\)/);
    expect(v8).toContain('GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED');
    const wip = generated(base([{ op: 'create', size: 1073741824, flags: ['mmap', 'hugetlb'], expect: 'ok' }], { variant: 'wip-2025-12', hugePageSize: 1073741824 }));
    expect(wip).toContain('GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_HUGETLB, true, 0x40000000);');
    expect(wip).toMatch(/#define GMEM_HUGETLB_PAGE_ORDER\t18\t/);
    expect(wip).toContain('.page_order = flags & GUEST_MEMFD_FLAG_HUGETLB ? GMEM_HUGETLB_PAGE_ORDER : 0');
  });

  it('asserts the memory-fault exit payload, bytes, fill and SIGBUS', () => {
    const src = generated(
      base([
        create(['mmap']),
        { op: 'guestRead', offset: 8192, length: 1, expect: { error: 'EFAULT', exit: 'memory-fault', memoryFault: { offset: 8192, size: 4096, private: true } } },
        { op: 'guestWrite', offset: 0, fill: '5a', length: 16, expect: 'ok' },
        { op: 'guestRead', offset: 0, length: 16, expect: { fill: '5a' } },
        { op: 'hostRead', offset: 0, length: 2, process: 2, expect: 'SIGBUS' },
        { op: 'convert', offset: 0, length: 4096, to: 'shared', expect: 'ok' },
        { op: 'hostRead', offset: 0, length: 2, expect: { data: '5a5a' } },
      ]),
    );
    expect(src).toMatch(/gmem_guest_access\(0x2000, 1, false, NULL\);\n\tgmem_expect_err\(1, "guestRead", EFAULT\);\n\tgmem_expect_memory_fault\(1, "guestRead"\);\n\tgmem_expect_fault_offset\(1, "guestRead", 0x2000\);\n\tgmem_expect_fault_size\(1, "guestRead", 0x1000\);\n\tgmem_expect_fault_private\(1, "guestRead", true\);/);
    expect(src).toContain('gmem_guest_access(0, 16, true, gmem_fill(0x5a, 16));');
    expect(src).toContain('gmem_expect_fill(3, "guestRead", 0x5a, 16);');
    expect(src).toContain('gmem_start_processes(3);');
    expect(src).toContain('gmem_expect_err(4, "hostRead", GMEM_SIGBUS);');
    expect(src).toContain('gmem_expect_bytes(6, "hostRead", (const uint8_t[]){ 0x5a, 0x5a }, 2);');
  });

  it('drives the revised contract ops: closeFd, unbind, close, settle, munmap, fallocate modes, counters', () => {
    const src = generated(
      base([
        { op: 'check', expect: { hugetlb: { free: 2, rsvd: 0 } } },
        create(),
        { op: 'fallocate', offset: 0, length: 4096, mode: ['zero-range'], expect: 'EOPNOTSUPP' },
        { op: 'punchHole', offset: 0, length: 2097152 },
        { op: 'munmap', offset: 0, length: 4194304, process: 1, expect: 'ok' },
        { op: 'check', expect: { allocatedBytes: 0, hugetlb: { cgroupRsvd: 2, cgroupUsage: 0 } } },
        { op: 'unbind', expect: 'ok' },
        { op: 'closeFd', expect: 'ok' },
        { op: 'check', expect: { allocatedBytes: 0, open: false } },
        { op: 'settle', expect: 'ok' },
        { op: 'close', expect: 'EBADF' },
      ]),
    );
    expect(src).toContain('gmem_expect_count(0, "huge pages free", gmem_hugepages("free"), 2);');
    expect(src).toContain('gmem_fallocate(FALLOC_FL_ZERO_RANGE, 0, 0x1000);');
    expect(src).toMatch(/gmem_fallocate\(FALLOC_FL_PUNCH_HOLE \| FALLOC_FL_KEEP_SIZE, 0, 0x200000\);\n\t\/\* outcome not checked/);
    expect(src).toContain('gmem_munmap(1, 0, 0x400000);');
    expect(src).toContain('gmem_expect_count(5, "st_blocks * 512", gmem_allocated_bytes(), 0);');
    expect(src).toContain('gmem_cgroup_pages("rsvd"), 2);');
    expect(src).toContain('gmem_cgroup_baseline();');
    expect(src).toContain('__TEST_REQUIRE(gmem_cgroup_path(path, sizeof(path), "rsvd"),\n\t\t\t       "needs the hugetlb cgroup controller');
    expect(src).toMatch(/gmem_unbind\(\);\n\tgmem_expect_err\(6, "unbind", 0\);/);
    expect(src).toMatch(/gmem_close_fd\(\);\n\tgmem_expect_err\(7, "closeFd", 0\);/);
    expect(src).toContain('allocatedBytes 0 (no open fd to fstat); open false');
    expect(src).toContain('gmem_settle();');
    expect(src).toMatch(/gmem_close_all\(2\);\n\tgmem_expect_err\(10, "close", EBADF\);/);
  });

  it('refuses what a kernel cannot be driven through, naming the step', () => {
    expect(refusal(base([create(), { op: 'inject', fault: 'split-enomem', expect: 'ok' }]))).toMatchObject({ path: '$.steps[1]', what: 'inject' });
    expect(refusal(base([create()], { policy: { truncateWhilePinned: 'defer' } }))).toMatchObject({ path: '$.config.policy.truncateWhilePinned' });
    expect(refusal(base([create(['hugetlb'])], { hugePageSize: 65536 }))).toMatchObject({ path: '$.config.hugePageSize' });
    expect(refusal(base([create(['hugetlb'])], { pageSize: 8192, hugePageSize: 2097152 }))).toMatchObject({ path: '$.config.pageSize' });
    expect(refusal(base([create(['init-shared'])]))).toMatchObject({ path: '$.steps[0]', what: 'create' });
    // A sw-protected guest cannot choose a shared access to a private page.
    expect(refusal(base([create(['mmap']), { op: 'guestRead', offset: 0, length: 1, access: 'shared' }]))).toMatchObject({ path: '$.steps[1]', what: 'guestRead' });
    // ... but a private access to a private page is just an access.
    expect(generated(base([create(['mmap']), { op: 'guestRead', offset: 0, length: 1, access: 'private' }]))).toContain('gmem_guest_access(0, 1, false, NULL);');
    expect(refusal(base([create(), { op: 'hostRead', offset: 0, length: 65537 }]))).toMatchObject({ path: '$.steps[1]', what: 'hostRead' });
  });

  it("scales a model geometry to the kernel's, keeping the block structure", () => {
    const src = generated(
      base(
        [
          { op: 'create', size: 128, flags: ['mmap', 'hugetlb'], expect: 'ok' },
          { op: 'convert', offset: 16, length: 48, to: 'shared', expect: 'ok' },
          { op: 'hostWrite', offset: 60, data: '01020304', expect: 'ok' },
          { op: 'pin', offset: 48, expect: 'ok' },
          { op: 'convert', offset: 0, length: 64, to: 'private', expect: { error: 'EAGAIN', errorOffset: 48 } },
          { op: 'check', expect: { allocatedBytes: 64 } },
        ],
        { pageSize: 16, hugePageSize: 64 },
      ),
    );
    expect(src).toContain('gmem_create(0x400000,'); // two blocks of 2 MiB
    expect(src).toContain('gmem_convert(0x1000, 0x1ff000, false);'); // pages 1..3: the block's last page is the rest of it
    expect(src).toContain('gmem_host_write(0, 0x300c, (const uint8_t[]){ 0x01, 0x02, 0x03, 0x04 }, 4);');
    expect(src).toContain('gmem_expect_error_offset(4, "convert", 0x3000);');
    expect(src).toContain('gmem_expect_count(5, "st_blocks * 512", gmem_allocated_bytes(), 0x200000);');
    expect(src).toContain('is scaled to the');
  });

  it('names the test with a C identifier', () => {
    expect(sanitize('deck-tdx-inode-cleanup')).toBe('deck_tdx_inode_cleanup');
    expect(sanitize('1g pages!')).toBe('t_1g_pages');
  });
});

describe('mainline-6.12: the tree that runs here (DOMAIN 7.4)', () => {
  const ml612 = (steps: Trace['steps']) => generated(base(steps, { variant: 'mainline-6.12', vmType: 'sw-protected' }));
  const src = ml612([
    { op: 'create', size: 4096, flags: ['mmap'], expect: 'EINVAL' },
    { op: 'create', size: 8192, flags: [], expect: 'ok' },
    { op: 'convert', offset: 4096, length: 4096, to: 'shared', expect: 'ok' },
    { op: 'guestRead', offset: 0, length: 8, expect: { fill: '00' } },
    { op: 'hostRead', offset: 0, length: 1, expect: 'ENODEV' },
    { op: 'fallocate', offset: 0, length: 4096, mode: ['keep-size', 'zero-range'], expect: 'EOPNOTSUPP' },
    { op: 'check', expect: { allocatedBytes: 0, pages: [{ offset: 0, shareability: 'private' }] } },
    { op: 'closeFd', expect: 'ok' },
    { op: 'guestRead', offset: 0, length: 1, expect: { error: 'EFAULT', exit: 'memory-fault', memoryFault: { offset: 0, size: 4096, private: true } } },
  ]);

  it('writes every ml612 trace: none is refused', () => {
    const outcomes = generateSelftests(expandInputs([TRACES]).filter((f) => /\/ml612-[^/]*\.json$/.test(f)), undefined);
    expect(outcomes.length).toBeGreaterThanOrEqual(38);
    expect(outcomes.filter((o) => o.status !== 'written')).toEqual([]);
  });

  it('drives the VM attributes: private at create, KVM_SET_MEMORY_ATTRIBUTES on the VM for convert', () => {
    expect(src).toContain('#define GMEM_ATTRIBUTES_ON_VM\t\t1');
    expect(src).toMatch(/#ifdef GMEM_ATTRIBUTES_ON_VM\n[^#]*vm_mem_set_private\(gmem\.vm, GMEM_GPA, size\);\n#endif/);
    expect(src).toMatch(/\.address = GMEM_GPA \+ off[\s\S]*ioctl\(gmem\.vm_gone \? gmem\.stale_vm_fd : gmem\.vm->fd, KVM_SET_MEMORY_ATTRIBUTES, &arg\)/);
    expect(src).toMatch(/gmem_step\(2, "convert"\);\n\tgmem_convert\(0x1000, 0x1000, false\);\n\tgmem_expect_err\(2, "convert", 0\);/);
  });

  it('passes a flag 6.12 does not know as its later bit, and asserts the refusal', () => {
    expect(src).toMatch(/gmem_create\(0x1000, GUEST_MEMFD_FLAG_MMAP, true, 0x1000\);\n\tgmem_expect_err\(0, "create", EINVAL\);/);
    expect(src).toMatch(/gmem_host_read\(0, 0, 1\);\n\tgmem_expect_err\(4, "hostRead", ENODEV\);/);
    expect(src).toContain('gmem_fallocate(FALLOC_FL_KEEP_SIZE | FALLOC_FL_ZERO_RANGE, 0, 0x1000);');
  });

  it('marks each step and words a failure as the model against the kernel', () => {
    expect(src).toMatch(/\/\* step 8: \{"op":"guestRead"[^\n]*\*\/\n\tgmem_step\(8, "guestRead"\);\n\tgmem_guest_access\(0, 1, false, NULL\);/);
    expect(src).toContain('"step %d (%s): the model expects %s; the kernel: %s"');
    // A shared access where no memslot is exits KVM_EXIT_MMIO: a result the expectation judges, not a crash.
    expect(src).toContain('no error but a KVM_EXIT_MMIO exit at gpa 0x%lx (offset 0x%lx)');
  });

  it('checks st_blocks and says what userspace cannot see', () => {
    expect(src).toContain('gmem_expect_count(6, "st_blocks * 512", gmem_allocated_bytes(), 0);');
    expect(src).toContain(`/* the model's state, not observable from userspace: pages (trace offsets) [{"offset":0,"shareability":"private"}] */`);
  });

  it('requires the 6.12 uapi in main() (a later guest_memfd SKIPs) and says where it runs', () => {
    expect(src).toMatch(/\tgmem_require\(KVM_X86_SW_PROTECTED_VM, "KVM_X86_SW_PROTECTED_VM", 0\);\n\treturn test_harness_run/);
    expect(src).toContain('this kernel\'s guest_memfd takes GUEST_MEMFD_FLAG_MMAP');
    expect(src).toContain(' * Runs on mainline 6.12 as Debian builds it');
    expect(src).not.toContain('with that series applied');
  });

  it("the other trees' files probe their uapi and SKIP without it", () => {
    const v13 = generated(base([create(['mmap', 'init-shared'])], { variant: 'inplace-v13' }));
    expect(v13).toContain('gmem_require(KVM_X86_SW_PROTECTED_VM, "KVM_X86_SW_PROTECTED_VM", GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);');
    expect(v13).toContain('#define GMEM_TREE\t\t"in-place conversion v13"');
    expect(v13).toContain('a guest_memfd takes no KVM_SET_MEMORY_ATTRIBUTES2 (ENOTTY)');
    // HugeTLB bits are not probed (the pool is set up after the probe).
    const rfc = generated(base([create()]));
    expect(rfc).toContain('gmem_require(KVM_X86_SW_PROTECTED_VM, "KVM_X86_SW_PROTECTED_VM", GUEST_MEMFD_FLAG_SUPPORT_SHARED | GUEST_MEMFD_FLAG_INIT_PRIVATE);');
    expect(rfc).toContain('a guest_memfd takes no KVM_GMEM_CONVERT_SHARED (ENOTTY)');
    expect(rfc).toContain('Elsewhere it exits KSFT_SKIP');
  });
});

describe('gmem selftest command', () => {
  const made: string[] = [];
  const out = () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmem-selftest-'));
    made.push(dir);
    return dir;
  };
  afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('writes one file per trace and exits 1 naming each refusal on stderr', () => {
    const dir = out();
    const r = runCli(['selftest', TRACES, '-o', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^refused: .*k1-rfc-v2-failed-split-loses-mappings\.json: \$\.steps\[3\] inject: /m);
    const written = readdirSync(dir);
    expect(written).toContain('gmem_pin_refuses_to_private_with_error_offset.c');
    expect(r.stdout).toContain(`${written.length} written,`);
  });

  it('exits 0 with --skip-refused, and 0 when nothing is refused', () => {
    expect(runCli(['selftest', TRACES, '-o', out(), '--skip-refused']).status).toBe(0);
    const r = runCli(['selftest', join(TRACES, 'zero-once-and-pool-reuse.json'), '-o', out()]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('with --skip-refused, the refusals are one line that counts them, --makefile or not', () => {
    for (const where of [['-o', out()], ['--makefile']]) {
      const r = runCli(['selftest', TRACES, ...where, '--skip-refused']);
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(/^gmem: selftest: \d+ of \d+ traces refused and skipped \(without --skip-refused each is named with its reason\)\n$/);
    }
  });

  it('--makefile prints the lines to add for the generated tests', () => {
    const r = runCli(['selftest', '--makefile', join(TRACES, 'zero-once-and-pool-reuse.json'), join(TRACES, 'one-gib-pages.json')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^TEST_GEN_PROGS_x86 \+= gmem_zero_once_and_pool_reuse$/m);
    expect(r.stdout).toMatch(/^TEST_GEN_PROGS_x86 \+= gmem_one_gib_pages$/m);
  });

  it('bad input is one line and exit 2, with nothing written', () => {
    const dir = out();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'gmem-trace/1', name: 'x', steps: [{ op: 'create', size: 1, flags: [], expect: 'ok', colour: 1 }] }));
    const r = runCli(['selftest', bad, join(TRACES, 'zero-once-and-pool-reuse.json'), '-o', join(dir, 'out')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`INVALID FILE: ${bad}: $.steps[0].colour: unknown field (allowed here: op, size, flags, expect)\n`); // the same line `gmem replay` prints
    expect(() => readdirSync(join(dir, 'out'))).toThrow();
    const noOut = runCli(['selftest', TRACES]);
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toMatch(/^gmem: selftest: say where to write the tests with -o DIR/);
  });

  it('accepts a trace in the revised contract unchanged (memoryFault payload, closeFd, unbind)', () => {
    const dir = out();
    const file = join(dir, 'revised.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'gmem-trace/1',
        name: 'revised-contract',
        config: { variant: 'inplace-v13' },
        steps: [
          { op: 'create', size: 65536, flags: ['mmap'], expect: 'ok' },
          { op: 'guestRead', offset: 0, length: 1, expect: { error: 'EFAULT', exit: 'memory-fault', memoryFault: { offset: 0, private: true } } },
          { op: 'unbind', expect: 'ok' },
          { op: 'closeFd', expect: 'ok' },
        ],
      }),
    );
    const r = runCli(['selftest', file, '-o', join(dir, 'out')]);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'out', 'gmem_revised_contract.c'), 'utf8')).toContain('gmem_expect_fault_private(1, "guestRead", true);');
  });
});

describe('Scale', () => {
  it('maps page k of a block to real page k, the last page to the rest of the block', () => {
    const sc = new Scale(16, 64, true, 2 * 1024 * 1024);
    expect(sc.pos(0)).toBe(0);
    expect(sc.pos(17)).toBe(4096 + 1);
    expect(sc.pos(48)).toBe(3 * 4096);
    expect(sc.pos(64)).toBe(2 * 1024 * 1024);
    expect(sc.len(48, 16)).toBe(2 * 1024 * 1024 - 3 * 4096);
    expect(sc.segments(60, 8)).toEqual([
      { offset: 3 * 4096 + 12, length: 4, from: 0 },
      { offset: 2 * 1024 * 1024, length: 4, from: 4 },
    ]);
    expect(sc.bytes(128)).toBe(4 * 1024 * 1024);
    expect(sc.bytes(16)).toBeUndefined();
  });

  it('leaves the kernel geometry alone and picks the huge page a block fits', () => {
    const id = new Scale(4096, 2097152, true, 2097152);
    expect(id.pos(12345)).toBe(12345);
    expect(id.segments(4000, 200)).toEqual([{ offset: 4000, length: 200, from: 0 }]);
    expect(Scale.realHugeFor(16, 64)).toBe(2097152);
    expect(Scale.realHugeFor(16, 16 * 1024)).toBe(1073741824);
    expect(Scale.realHugeFor(4096, 65536)).toMatch(/2 MiB or 1 GiB/);
  });
});
