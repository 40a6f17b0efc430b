/**
 * Guest (stage-2) mappings: the level a fault maps at (DOMAIN 7.2, the
 * tree's `stage2` per VM type) and the zaps conversions and punches do
 * (TRACE-FORMAT convert: whole-leaf, split, direction-filtered).
 */
import type { Shareability } from '../../machines/policy';
import type { GmemFile } from './gmem-file';
import type { Exposure } from './content';
import { exposePages } from './content';

const TWO_MIB = 2 * 1024 * 1024;

/** A huge leaf is allowed here: private access, huge folio over an all-private block (lazy: the deck's wrong answer), the tree's level. */
function mapsHuge(file: GmemFile, p: number, type: Shareability): boolean {
  const b = Math.floor(p / file.blockPages);
  if (type !== 'private' || !file.isHuge(p)) return false;
  if (file.settings.policy.split !== 'lazy' && file.sharedPagesOf(b) > 0) return false;
  const blockBytes = file.blockPages * file.pageSize;
  switch (file.settings.profile.stage2[file.settings.vmType]) {
    case 'huge':
      return true;
    case 'huge-2m':
      return blockBytes <= TWO_MIB;
    case 'huge-2m-no-promotion':
      return blockBytes <= TWO_MIB && !file.folios.noPromote.has(b);
    case '4k':
      return false;
  }
}

/** A guest fault maps page p: the whole block huge (replacing its 4k leaves) where allowed, else 4k. */
export function mapGuest(file: GmemFile, p: number, type: Shareability, newlyExposed: Exposure[]): void {
  const b = Math.floor(p / file.blockPages);
  const base = b * file.blockPages;
  if (file.geometry.hugetlb && mapsHuge(file, p, type)) {
    file.guest4k.deleteRange(base, base + file.blockPages);
    file.folios.recordFor(b).guestHuge = true;
    exposePages(file, base, base + file.blockPages, newlyExposed, 'guest');
    return;
  }
  if (file.block(b).guestHuge) return;
  file.guest4k.add(p);
  // No promotion: a TDX block that had a private 4k leaf keeps its S-EPT page table (S-Y3 06).
  if (type === 'private' && file.settings.profile.stage2[file.settings.vmType] === 'huge-2m-no-promotion') file.folios.noPromote.add(b);
  exposePages(file, p, p + 1, newlyExposed, 'guest');
}

/** Whole-leaf zap of pages [from, to): a huge leaf meeting the range goes whole. */
export function zapWholeLeaf(file: GmemFile, from: number, to: number): void {
  if (to <= from) return;
  const stale = file.settings.faults.has('stale-huge-guest-mapping');
  if (!stale) for (const b of hugeMapped(file, from, to)) file.folios.recordFor(b).guestHuge = false;
  file.guest4k.deleteRange(from, to);
}

/**
 * Split zap of pages [from, to): a huge leaf crossing a boundary of the range
 * becomes 4k leaves outside it, and the S-EPT table left behind keeps the
 * block from mapping huge again (S-Y3 16 kvm_split_cross_boundary_leafs,
 * 06 no promotion). A leaf the range covers is zapped whole and leaves no
 * table (`iter_cross_boundary` is false for it).
 */
export function zapSplitLeaf(file: GmemFile, from: number, to: number): void {
  if (to <= from) return;
  const stale = file.settings.faults.has('stale-huge-guest-mapping');
  if (!stale) {
    for (const b of hugeMapped(file, from, to)) {
      file.folios.recordFor(b).guestHuge = false;
      const base = b * file.blockPages;
      const crosses = base < from || to < base + file.blockPages;
      if (base < from) file.guest4k.addRange(base, from);
      if (to < base + file.blockPages) file.guest4k.addRange(to, base + file.blockPages);
      if (crosses) file.folios.noPromote.add(b);
    }
  }
  file.guest4k.deleteRange(from, to);
}

/** Every guest mapping of the file goes (unbind, eviction). */
export function zapAll(file: GmemFile): void {
  file.guest4k.clear();
  for (const b of hugeMapped(file, 0, file.nPages)) file.folios.recordFor(b).guestHuge = false;
}

/** The blocks meeting pages [from, to) that a huge leaf maps (only blocks with a record can be). */
function hugeMapped(file: GmemFile, from: number, to: number): number[] {
  const out: number[] = [];
  const last = Math.floor((to - 1) / file.blockPages);
  file.records.forRange(Math.floor(from / file.blockPages), last, true, (b, record) => {
    if (record.guestHuge) out.push(b);
  });
  return out;
}
