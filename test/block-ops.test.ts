/**
 * The operations the walks and the block composition drive a block with
 * (blockOpVariants: every operation with every payload a guard reads), and
 * their labels in walk output and generated traces (opLabel).
 */
import { blockOpVariants, opLabel } from '../machines/block.plan';

describe('the block operations', () => {
  it('every operation once per page, guest accesses and conversions both ways, the rest once', () => {
    expect(blockOpVariants(2).map(opLabel)).toEqual([
      'hostAccess(0)', 'hostAccess(1)',
      'guestAccess(0,shared)', 'guestAccess(0,private)', 'guestAccess(1,shared)', 'guestAccess(1,private)',
      'convert(0,shared)', 'convert(0,private)', 'convert(1,shared)', 'convert(1,private)',
      'fallocate', 'punchHole',
      'pin(0)', 'pin(1)', 'unpin(0)', 'unpin(1)', 'munmap(0)', 'munmap(1)',
      'close', 'settle', 'injectSplitFailure',
    ]);
    expect(blockOpVariants(1)).toHaveLength(13);
    expect(blockOpVariants(2)).toContainEqual({ type: 'guestAccess', page: 1, access: 'shared' });
  });

  it('a label is the operation and its arguments, never its type twice', () => {
    expect(opLabel({ type: 'convert', page: 1, to: 'private' })).toBe('convert(1,private)');
    expect(opLabel({ type: 'settle' })).toBe('settle');
  });
});
