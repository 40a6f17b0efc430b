/**
 * Every operation's success path and every errno path it has, under every
 * variant where the path exists. Each row sets a file up and expects the last
 * step's outcome; invariants must hold throughout.
 */
import type { Variant } from '../machines/policy';
import { profileOf, VARIANTS } from '../machines/variant';
import { runSteps } from './support/run-steps';

const MiB = 1 << 20;
const P = 4096;
const ALL: Variant[] = [...VARIANTS];
const HUGE: Variant[] = ALL.filter((v) => profileOf(v).hugetlb);
const FOURK: Variant[] = ALL.filter((v) => !profileOf(v).hugetlb);
/** The trees whose file a host can map (mainline-6.12 knows no create flag: DOMAIN 7.4). */
const HOSTED: Variant[] = ALL.filter((v) => profileOf(v).createFlags.includes('mmap'));
const block = (v: Variant) => (profileOf(v).hugetlb ? 2 * MiB : P);
const mmap = (v: Variant) => (profileOf(v).createFlags.includes('mmap') ? ['mmap'] : []);
/** A 2-block file: HugeTLB where the variant has it, mmap where it knows it. */
const file = (v: Variant, ...flags: string[]) => ({ op: 'create', size: 2 * block(v), flags: profileOf(v).hugetlb ? ['mmap', 'hugetlb', ...flags] : [...mmap(v), ...flags] });
/** Attributes on the VM (S-ML612): convert is a VM ioctl. */
const onVm = (v: Variant) => profileOf(v).attributes === 'vm';
const sharedFile = (v: Variant) => [file(v), { op: 'convert', offset: 0, length: 2 * block(v), to: 'shared' }];

type Row = [op: string, path: string, variants: Variant[], steps: (v: Variant) => unknown[], expected: string | ((v: Variant) => string), policy?: Record<string, string>];

const ROWS: Row[] = [
  ['create', 'ok', ALL, (v) => [file(v)], 'ok'],
  ['create', 'EINVAL size 0', ALL, () => [{ op: 'create', size: 0, flags: [] }], 'EINVAL'],
  ['create', 'EINVAL unaligned size', ALL, () => [{ op: 'create', size: 100, flags: [] }], 'EINVAL'],
  ['create', 'EINVAL hugetlb without huge pages', FOURK, () => [{ op: 'create', size: 2 * MiB, flags: ['hugetlb'] }], 'EINVAL'],
  ['hostRead', 'ok', HOSTED, (v) => [...sharedFile(v), { op: 'hostRead', offset: 0, length: 2 }], 'ok, read 0000'],
  ['hostRead', 'SIGBUS private', HOSTED, (v) => [file(v), { op: 'hostRead', offset: 0, length: 1 }], 'SIGBUS'],
  ['hostRead', 'SIGBUS past the end', HOSTED, (v) => [...sharedFile(v), { op: 'hostRead', offset: 2 * block(v), length: 1 }], 'SIGBUS'],
  ['hostRead', 'ENODEV without mmap', ALL, (v) => [{ ...file(v), flags: file(v).flags.filter((f) => f !== 'mmap') }, { op: 'hostRead', offset: 0, length: 1 }], 'ENODEV'],
  ['hostWrite', 'ok', HOSTED, (v) => [...sharedFile(v), { op: 'hostWrite', offset: 1, data: 'ab' }], 'ok'],
  ['hostWrite', 'SIGBUS private', HOSTED, (v) => [file(v), { op: 'hostWrite', offset: 0, data: 'ab' }], 'SIGBUS'],
  ['guestRead', 'ok', ALL, (v) => [file(v), { op: 'guestRead', offset: 0, length: 1 }], 'ok, read 00'],
  ['guestRead', 'EFAULT memory-fault exit', ALL, (v) => [file(v), { op: 'guestRead', offset: P, length: 1, access: 'shared' }], `EFAULT exit=memory-fault memoryFault={offset:${P},size:${P},private:false}`],
  ['guestRead', 'EFAULT memory-fault after unbind (private)', ALL, (v) => [file(v), { op: 'unbind' }, { op: 'guestRead', offset: 0, length: 1 }], `EFAULT exit=memory-fault memoryFault={offset:0,size:${P},private:true}`],
  ['guestRead', 'EFAULT without exit after unbind (shared)', ALL, (v) => [...sharedFile(v), { op: 'unbind' }, { op: 'guestRead', offset: 0, length: 1 }], 'EFAULT'],
  // Where shared memory is the memslot's (S-ML612), a shared access needs no file.
  ['guestRead', 'EFAULT memory-fault after eviction', ALL, (v) => [...sharedFile(v), { op: 'closeFd' }, { op: 'guestRead', offset: 0, length: 1 }], (v) => (profileOf(v).sharedMemory === 'memslot' ? 'ok, read 00' : `EFAULT exit=memory-fault memoryFault={offset:0,size:${P},private:false}`)],
  ['guestRead', 'EFAULT memory-fault after eviction (private)', ALL, (v) => [file(v), { op: 'closeFd' }, { op: 'guestRead', offset: P, length: 1 }], `EFAULT exit=memory-fault memoryFault={offset:${P},size:${P},private:true}`],
  ['guestRead', 'EFAULT past the end', ALL, (v) => [file(v), { op: 'guestRead', offset: 2 * block(v), length: 1 }], 'EFAULT'],
  ['guestWrite', 'ok', ALL, (v) => [file(v), { op: 'guestWrite', offset: 0, fill: '01', length: 8 }], 'ok'],
  ['guestWrite', 'EFAULT memory-fault exit', ALL, (v) => [...sharedFile(v), { op: 'guestWrite', offset: 0, data: '01', access: 'private' }], `EFAULT exit=memory-fault memoryFault={offset:0,size:${P},private:true}`],
  ['closeFd', 'ok', ALL, (v) => [file(v), { op: 'closeFd' }], 'ok'],
  ['closeFd', 'EBADF twice', ALL, (v) => [file(v), { op: 'closeFd' }, { op: 'closeFd' }], 'EBADF'],
  ['hostRead', 'ok through a mapping after closeFd', HOSTED, (v) => [...sharedFile(v), { op: 'hostRead', offset: 0, length: 1 }, { op: 'closeFd' }, { op: 'hostRead', offset: P, length: 1 }], 'ok, read 00'],
  ['hostRead', 'EBADF without a mapping after closeFd', HOSTED, (v) => [...sharedFile(v), { op: 'hostRead', offset: 0, length: 1 }, { op: 'closeFd' }, { op: 'hostRead', offset: 0, length: 1, process: 1 }], 'EBADF'],
  ['convert', 'EBADF after closeFd', ALL, (v) => [file(v), { op: 'closeFd' }, { op: 'convert', offset: 0, length: P, to: 'shared' }], (v) => (onVm(v) ? 'ok' : 'EBADF')],
  ['unbind', 'ok', ALL, (v) => [file(v), { op: 'unbind' }], 'ok'],
  ['unbind', 'EINVAL twice', ALL, (v) => [file(v), { op: 'unbind' }, { op: 'unbind' }], 'EINVAL'],
  ['hostRead', 'ENOMEM pool empty (VM_FAULT_OOM)', ['rfc-v2'], () => [
    { op: 'create', size: 2 * MiB, flags: ['mmap', 'hugetlb', 'init-shared'] },
    { op: 'pin', offset: 0 },
    { op: 'punchHole', offset: 0, length: 2 * MiB },
    { op: 'hostRead', offset: 0, length: 1 },
  ], 'ENOMEM', { truncateWhilePinned: 'defer' }],
  ['convert', 'ok', ALL, (v) => [file(v), { op: 'convert', offset: 0, length: P, to: 'shared' }], 'ok'],
  ['convert', 'EINVAL unaligned', ALL, (v) => [file(v), { op: 'convert', offset: 1, length: P, to: 'shared' }], 'EINVAL'],
  ['convert', 'EINVAL past the end', ALL, (v) => [file(v), { op: 'convert', offset: 0, length: 4 * block(v), to: 'shared' }], (v) => (onVm(v) ? 'ok' : 'EINVAL')],
  ['convert', 'EINVAL length 0', ALL, (v) => [file(v), { op: 'convert', offset: 0, length: 0, to: 'shared' }], (v) => (profileOf(v).convertLengthZero === 'ok-first' ? 'ok' : 'EINVAL')],
  ['create', 'EINVAL a flag the tree does not know', ALL.filter((v) => !HOSTED.includes(v)), () => [{ op: 'create', size: P, flags: ['mmap'] }], 'EINVAL'],
  ['hostRead', 'ENODEV no mmap at all', ALL.filter((v) => !HOSTED.includes(v)), (v) => [...sharedFile(v), { op: 'hostRead', offset: 0, length: 1 }], 'ENODEV'],
  ['convert', 'EAGAIN pinned', HOSTED, (v) => [...sharedFile(v), { op: 'pin', offset: P }, { op: 'convert', offset: 0, length: 2 * block(v), to: 'private' }], `EAGAIN errorOffset=${P}`],
  // In block 1: rfc-v2's rollback of a work item starting in block 0 never returns (K10, test/hang.test.ts).
  ['convert', 'ENOMEM split failure', HUGE, (v) => [file(v), { op: 'fallocate', offset: 0, length: 2 * block(v) }, { op: 'inject', fault: 'split-enomem' }, { op: 'convert', offset: block(v), length: P, to: 'shared' }], 'ENOMEM'],
  ['fallocate', 'ok', ALL, (v) => [file(v), { op: 'fallocate', offset: 0, length: block(v) }], 'ok'],
  ['fallocate', 'EINVAL length 0', ALL, (v) => [file(v), { op: 'fallocate', offset: 0, length: 0 }], 'EINVAL'],
  ['fallocate', 'EOPNOTSUPP mode', ALL, (v) => [file(v), { op: 'fallocate', offset: 0, length: block(v), mode: ['zero-range'] }], 'EOPNOTSUPP'],
  ['fallocate', 'EINVAL past the end', ALL, (v) => [file(v), { op: 'fallocate', offset: 0, length: 4 * block(v) }], 'EINVAL'],
  ['fallocate', 'ENOMEM pool empty', ['rfc-v2'], () => [
    { op: 'create', size: 2 * MiB, flags: ['mmap', 'hugetlb', 'init-shared'] },
    { op: 'pin', offset: 0 },
    { op: 'punchHole', offset: 0, length: 2 * MiB },
    { op: 'fallocate', offset: 0, length: 2 * MiB },
  ], 'ENOMEM', { truncateWhilePinned: 'defer' }],
  ['punchHole', 'ok', ALL, (v) => [file(v), { op: 'fallocate', offset: 0, length: block(v) }, { op: 'punchHole', offset: 0, length: block(v) }], 'ok'],
  ['punchHole', 'ok past the end', ALL, (v) => [file(v), { op: 'punchHole', offset: 2 * block(v), length: block(v) }], 'ok'],
  ['punchHole', 'EINVAL length 0', ALL, (v) => [file(v), { op: 'punchHole', offset: 0, length: 0 }], 'EINVAL'],
  ['punchHole', 'EOPNOTSUPP mode', ALL, (v) => [file(v), { op: 'punchHole', offset: 0, length: block(v), mode: ['keep-size'] }], 'EOPNOTSUPP'],
  ['punchHole', 'EAGAIN pinned split block', HUGE, (v) => [...sharedFile(v), { op: 'pin', offset: 0 }, { op: 'punchHole', offset: 0, length: block(v) }], 'EAGAIN'],
  ['punchHole', 'ok pinned 4K page', FOURK.filter((v) => HOSTED.includes(v)), (v) => [...sharedFile(v), { op: 'pin', offset: 0 }, { op: 'punchHole', offset: 0, length: block(v) }], 'ok'],
  ['pin', 'ok', HOSTED, (v) => [...sharedFile(v), { op: 'pin', offset: 0 }], 'ok'],
  ['pin', 'EFAULT private', HOSTED, (v) => [file(v), { op: 'pin', offset: 0 }], 'EFAULT'],
  ['pin', 'EFAULT past the end', HOSTED, (v) => [...sharedFile(v), { op: 'pin', offset: 2 * block(v) }], 'EFAULT'],
  ['pin', 'ENODEV without mmap', ALL, (v) => [{ ...file(v), flags: file(v).flags.filter((f) => f !== 'mmap') }, { op: 'pin', offset: 0 }], 'ENODEV'],
  ['unpin', 'ok', HOSTED, (v) => [...sharedFile(v), { op: 'pin', offset: 0 }, { op: 'unpin', offset: 0 }], 'ok'],
  ['unpin', 'EINVAL no pin', ALL, (v) => [file(v), { op: 'unpin', offset: 0 }], 'EINVAL'],
  ['munmap', 'ok', HOSTED, (v) => [...sharedFile(v), { op: 'hostRead', offset: 0, length: 1 }, { op: 'munmap', offset: 0, length: P }], 'ok'],
  ['munmap', 'EINVAL misaligned', ALL, (v) => [file(v), { op: 'munmap', offset: 3, length: P }], 'EINVAL'],
  ['close', 'ok', ALL, (v) => [file(v), { op: 'close' }], 'ok'],
  ['close', 'EBADF twice', ALL, (v) => [file(v), { op: 'close' }, { op: 'close' }], 'EBADF'],
  ['settle', 'ok', ALL, (v) => [file(v), { op: 'settle' }], 'ok'],
  ['inject', 'ok', ALL, (v) => [file(v), { op: 'inject', fault: 'split-enomem' }], 'ok'],
  ['inject', 'EBADF after close', ALL, (v) => [file(v), { op: 'close' }, { op: 'inject', fault: 'split-enomem' }], 'EBADF'],
  ...(['hostRead', 'guestRead', 'convert', 'fallocate', 'punchHole', 'munmap'] as const).map(
    (op): Row => [op, 'EBADF after close', ALL, (v) => [file(v), { op: 'close' }, { op, offset: 0, length: P, ...(op === 'convert' ? { to: 'shared' } : {}) }], 'EBADF'],
  ),
  ['pin', 'EBADF after close', ALL, (v) => [file(v), { op: 'close' }, { op: 'pin', offset: 0 }], 'EBADF'],
];

describe.each(ROWS)('%s: %s', (_op, _path, variants, steps, expected, policy) => {
  it.each(variants)('%s', (variant) => {
    const r = runSteps({ variant, ...(policy ? { policy } : {}) }, steps(variant));
    const want = typeof expected === 'function' ? expected(variant) : expected;
    expect(r.outcomes[r.outcomes.length - 1]).toBe(want);
    expect(r.violations).toEqual([]);
  });
});
