/**
 * Draws a block the way the kernel's tools/testing/vma tests draw an address
 * space: `|SSPP|` is page shareability (S shared, P private; lower case while
 * the page is unallocated, `t` while truncating), `[HHHH]` an intact huge
 * folio, `[ssss]` a split one, `[....]` no folio, `[iiii]` a split block the
 * closed inode still holds. Pins and the allocator wrapper follow.
 */
import type { BlockView } from './block.plan';
import type { RangeState } from './range.machine';

const PAGE: Record<RangeState, string> = {
  'faultable.unallocated': 's',
  'faultable.allocated': 'S',
  'unfaultable.unallocated': 'p',
  'unfaultable.allocated': 'P',
  'truncate.pending.shared': 't',
  'truncate.pending.private': 't',
  'truncate.ready.shared': 't',
  'truncate.ready.private': 't',
};
const FOLIO = { none: '.', huge: 'H', split: 's', heldByInode: 'i' } as const;

export function drawBlock(view: BlockView & { open?: boolean }): string {
  const n = view.pages.length;
  const parts = [`|${view.pages.map((p) => PAGE[p]).join('')}|`, `[${FOLIO[view.file].repeat(n)}]`];
  if (view.pins.some((p) => p > 0)) parts.push(`pins ${view.pins.join('')}`);
  if (view.retiredPins.some((p) => p > 0)) parts.push(`retired pins ${view.retiredPins.join('')}`);
  if (view.wrapper !== 'empty') parts.push(`wrapper ${view.wrapper}`);
  if (view.open === false) parts.push('closed');
  return parts.join(' ');
}
