/**
 * Guest (stage-2) mappings: the level a fault maps at (DOMAIN 7.2, the
 * tree's `stage2` per VM type) and the zaps conversions and punches do
 * (TRACE-FORMAT convert: whole-leaf, split, direction-filtered).
 */
import type { Shareability } from '../../machines/policy';
import type { GmemFile } from './gmem-file';
import { exposePages } from './content';
import { deleteRange } from './page-sets';

const TWO_MIB = 2 * 1024 * 1024;

/** A huge leaf is allowed here: private access, huge folio over an all-private block (lazy: the deck's wrong answer), the tree's level. */
function mapsHuge(file: GmemFile, p: number, type: Shareability): boolean {
  const b = Math.floor(p / file.blockPages);
  if (type !== 'private' || !file.isHuge(p)) return false;
  if (file.settings.policy.split !== 'lazy' && file.facts(b).sharedPages > 0) return false;
  const blockBytes = file.blockPages * file.pageSize;
  switch (file.settings.profile.stage2[file.settings.vmType]) {
    case 'huge':
      return true;
    case 'huge-2m':
      return blockBytes <= TWO_MIB;
    case 'huge-2m-no-promotion':
      return blockBytes <= TWO_MIB && !file.noPromote[b];
    case '4k':
      return false;
  }
}

/** A guest fault maps page p: the whole block huge (replacing its 4k leaves) where allowed, else 4k. */
export function mapGuest(file: GmemFile, p: number, type: Shareability, newlyExposed: Array<{ page: number; readZero: boolean }>): void {
  const b = Math.floor(p / file.blockPages);
  const block = file.blocks[b]!;
  const base = b * file.blockPages;
  if (file.geometry.hugetlb && mapsHuge(file, p, type)) {
    deleteRange(file.guest4k, base, base + file.blockPages);
    block.guestHuge = true;
    exposePages(file, base, base + file.blockPages, newlyExposed, 'guest');
    return;
  }
  if (block.guestHuge) return;
  file.guest4k.add(p);
  // No promotion: a TDX block that had a private 4k leaf keeps its S-EPT page table (S-Y3 06).
  if (type === 'private' && file.settings.profile.stage2[file.settings.vmType] === 'huge-2m-no-promotion') file.noPromote[b] = 1;
  exposePages(file, p, p + 1, newlyExposed, 'guest');
}

/** Whole-leaf zap of pages [from, to): a huge leaf meeting the range goes whole. */
export function zapWholeLeaf(file: GmemFile, from: number, to: number): void {
  if (to <= from) return;
  const stale = file.settings.faults.has('stale-huge-guest-mapping');
  for (let b = Math.floor(from / file.blockPages); b * file.blockPages < to; b++) if (!stale) file.blocks[b]!.guestHuge = false;
  deleteRange(file.guest4k, from, to);
}

/** Split zap of pages [from, to): a huge leaf crossing the range becomes 4k leaves outside it (S-Y3 16). */
export function zapSplitLeaf(file: GmemFile, from: number, to: number): void {
  if (to <= from) return;
  const stale = file.settings.faults.has('stale-huge-guest-mapping');
  for (let b = Math.floor(from / file.blockPages); b * file.blockPages < to; b++) {
    const block = file.blocks[b]!;
    if (!block.guestHuge || stale) continue;
    block.guestHuge = false;
    const base = b * file.blockPages;
    for (let p = base; p < base + file.blockPages; p++) if (p < from || p >= to) file.guest4k.add(p);
    file.noPromote[b] = 1;
  }
  deleteRange(file.guest4k, from, to);
}

/** Every guest mapping of the file goes (unbind, eviction). */
export function zapAll(file: GmemFile): void {
  file.guest4k.clear();
  for (const block of file.blocks) block.guestHuge = false;
}
