/**
 * Each policy value of DOMAIN.md section 8 on a block, drawn step by step:
 * |SSPP| shareability (lower case: unallocated), [HH] huge / [ss] split folio.
 */
import { walk } from './support/block-walk';

describe('split: eager vs lazy', () => {
  it('eager (the kernel): a page turning shared splits the block at once, and the block merges when all-private', () => {
    walk({ initial: 'private' }, [
      ['guestAccess 0 private', '|PP| [HH]'],
      ['convert 1 shared', '|PS| [ss]'],
      ['convert 1 private', '|PP| [HH]'],
    ]);
  });

  it('lazy ("fapending"): the huge folio stays behind a faultable page until a shared fault (the deck\'s concern)', () => {
    walk({ initial: 'private', policy: { split: 'lazy' } }, [
      ['guestAccess 0 private', '|PP| [HH]'],
      ['convert 1 shared', '|PS| [HH]'],
      ['guestAccess 0 private', '|PS| [HH]'],
      ['hostAccess 1', '|PS| [ss]'],
    ]);
  });

  it('an injected split failure in rfc-v2\'s only block never returns: its rollback starts in block 0 (K10)', () => {
    walk({ initial: 'private' }, [
      ['guestAccess 0 private', '|PP| [HH]'],
      ['injectSplitFailure', '|PP| [HH]'],
      ['convert 1 shared', '|PP| [HH]', 'HANG'],
    ]);
  });

  it('the WIP tree refuses the conversion and leaves the page private', () => {
    walk({ initial: 'private', variant: 'wip-2025-12' }, [
      ['guestAccess 0 private', '|PP| [HH]'],
      ['injectSplitFailure', '|PP| [HH]'],
      ['convert 1 shared', '|PP| [HH]', 'ENOMEM'],
      ['convert 1 shared', '|PS| [ss]'],
    ]);
  });
});

describe('afterTruncate: keep vs reset', () => {
  it('keep (the kernel): a punched page keeps its shareability', () => {
    walk({ initial: 'private' }, [
      ['convert 0 shared', '|sp| [..]'],
      ['hostAccess 0', '|SP| [ss]'],
      ['punchHole', '|sp| [..]'],
    ]);
  });

  it('reset: a punched page returns to the file\'s initial shareability', () => {
    walk({ initial: 'private', policy: { afterTruncate: 'reset' } }, [
      ['convert 0 shared', '|sp| [..]'],
      ['hostAccess 0', '|SP| [ss]'],
      ['punchHole', '|pp| [..]'],
    ]);
  });
});

describe('truncateWhilePinned: eagain vs defer', () => {
  it('eagain (the kernel): punching a pinned split block fails and changes nothing', () => {
    walk({ initial: 'shared' }, [
      ['pin 1', '|SS| [ss] pins 01'],
      ['punchHole', '|SS| [ss] pins 01', 'EAGAIN'],
      ['unpin 1', '|SS| [ss]'],
      ['punchHole', '|ss| [..]'],
    ]);
  });

  it('defer (truncate pending): the block leaves the file now and returns after the last unpin and a settle', () => {
    walk({ initial: 'shared', policy: { truncateWhilePinned: 'defer' } }, [
      ['pin 1', '|SS| [ss] pins 01'],
      ['punchHole', '|ss| [..] retired pins 01 wrapper counting'],
      ['hostAccess 0', '|ss| [..] retired pins 01 wrapper counting', 'ENOMEM'],
      ['unpin 1', '|ss| [..] wrapper mergeable'],
      ['settle', '|ss| [..]'],
      ['hostAccess 0', '|SS| [ss]'],
    ]);
  });
});

describe('restore: allocator-wrapper vs inode-held', () => {
  it('allocator-wrapper (the kernel): close hands pinned split blocks to the wrapper; they come back whole', () => {
    walk({ initial: 'shared' }, [
      ['pin 0', '|SS| [ss] pins 10'],
      ['close', '|ss| [..] retired pins 10 wrapper counting closed'],
      ['hostAccess 0', '|ss| [..] retired pins 10 wrapper counting closed', 'EBADF'],
      ['unpin 0', '|ss| [..] wrapper mergeable closed'],
      ['settle', '|ss| [..] closed'],
    ]);
  });

  it('inode-held: the closed inode keeps the split block and it never returns', () => {
    walk({ initial: 'shared', policy: { restore: 'inode-held' } }, [
      ['pin 0', '|SS| [ss] pins 10'],
      ['close', '|ss| [ii] pins 10 closed'],
      ['unpin 0', '|ss| [ii] closed'],
      ['settle', '|ss| [ii] closed'],
    ]);
  });
});

describe('coordination inside a block', () => {
  it('a pinned shared page refuses to-private (EAGAIN) and the block does not merge', () => {
    walk({ initial: 'private' }, [
      ['convert 1 shared', '|ps| [..]'],
      ['pin 1', '|PS| [ss] pins 01'],
      ['convert 1 private', '|PS| [ss] pins 01', 'EAGAIN'],
      ['unpin 1', '|PS| [ss]'],
      ['convert 1 private', '|PP| [HH]'],
    ]);
  });

  it('host access to a private page is SIGBUS and allocates nothing; guest access with the wrong type exits', () => {
    walk({ initial: 'private' }, [
      ['hostAccess 0', '|pp| [..]', 'SIGBUS'],
      ['guestAccess 0 shared', '|pp| [..]', 'EFAULT(memory-fault)'],
      ['fallocate', '|PP| [HH]'],
    ], 2);
  });
});
