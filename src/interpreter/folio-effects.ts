/**
 * The arena effects the folio machine names (takeFromPool, split, merge,
 * freeToPool, handToWrapper, mergeAndReturn, splitFailed), and on a file
 * without HugeTLB, where each page is its own block and folio, the 4K folio
 * that comes and goes with a page's allocation. Nothing here decides: the
 * machines said the effect happens, this makes it so across the file's parts.
 */
import type { FolioEffect } from '../../machines/folio.machine';
import type { FolioMeta } from '../arena/pool';
import type { FileParts } from './file-parts';
import { IS_ALLOCATED_CODE } from './machine-steppers';

export function applyFolioEffect(file: FileParts, b: number, effect: FolioEffect): void {
  const { folios, store, account } = file;
  const block = folios.ensure(b);
  const n = file.geometry.blockPages;
  const base = b * n;
  switch (effect) {
    case 'takeFromPool': {
      folios.setMeta(b, block, account.takeHuge());
      account.countBytes(n * file.geometry.pageSize);
      // A fresh block's folio is not uptodate; hugetlb does not zero it (S-Wh gmem_hugetlb_alloc_folio).
      store.freshFolio(base, base + n);
      return;
    }
    case 'split':
      // Every sub-folio keeps the huge folio's PG_uptodate: the per-page flags already say it (S-V2h split).
      block.meta!.order = 0;
      return;
    case 'merge': {
      // The merged folio takes sub-folio 0's PG_uptodate (S-V2h guestmem_hugetlb_merge_folio; K2).
      block.meta!.order = block.meta!.originalOrder;
      store.uptodate.set(base, base + n, store.uptodate.get(base));
      return;
    }
    case 'freeToPool': {
      const meta = block.meta!;
      // Seeded bug: a split block goes back as order-0 pieces, unmerged.
      if (file.settings.faults.has('piecemeal-pool-return') && block.folio.file === 'split') meta.order = 0;
      dropFolio(file, b);
      giveBack(file, meta);
      return;
    }
    case 'handToWrapper':
      retireFolio(file, b);
      return;
    case 'mergeAndReturn':
      for (const meta of block.retired) {
        if (!file.settings.faults.has('piecemeal-pool-return')) meta.order = meta.originalOrder; // seeded bug: no merge
        giveBack(file, meta);
      }
      block.retired = [];
      return;
    case 'splitFailed':
      file.splitArmed = false;
      return;
  }
}

/**
 * A run of pages changed range-machine state: the step's changes note it; on
 * a file without HugeTLB each page is its own block and folio, which comes
 * with the page's allocation and leaves at its truncation.
 */
export function pagesChanged(file: FileParts, from: number, to: number, before: number, next: number): void {
  file.changes.pagesChanged(from, to, before, next);
  if (file.geometry.hugetlb) return;
  for (let p = from; p < to; p++) {
    if (!IS_ALLOCATED_CODE[before] && IS_ALLOCATED_CODE[next]) {
      // Pages of files without HugeTLB come fresh from the page allocator: zeroed.
      file.folios.setMeta(p, file.folios.ensure(p), file.account.takeSmall());
      file.account.countBytes(file.geometry.pageSize);
      file.store.freshFolio(p, p + 1);
    } else if (IS_ALLOCATED_CODE[before] && !IS_ALLOCATED_CODE[next]) {
      // Into truncate: the 4K folio leaves the file now; pins keep it alive outside.
      retireFolio(file, p);
    }
  }
}

/**
 * A huge page back to the pool. tdx and snp hand pages back cleared (TDX
 * clears what it reclaims), sw-protected keeps the bytes. The last return
 * after eviction releases the subpool (S-MM unlock_or_release_subpool).
 */
function giveBack(file: FileParts, meta: FolioMeta): void {
  if (file.settings.vmType !== 'sw-protected') {
    for (const pfn of file.memory.framesIn(meta.head, meta.head + file.geometry.blockPages)) file.memory.zeroPage(pfn);
  }
  file.account.returnHuge(meta);
  if (file.lifetime.released && file.account.used === 0 && !file.folios.inodeHeld) file.account.releaseSubpool();
}

/** The file stops holding the block's folio: mappings go, the next folio is zeroed anew. */
function dropFolio(file: FileParts, b: number): void {
  const { geometry, folios } = file;
  const block = folios.ensure(b);
  folios.setMeta(b, block, undefined);
  block.guestHuge = false;
  file.account.countBytes(-(geometry.hugetlb ? geometry.blockPages * geometry.pageSize : geometry.pageSize));
  const from = b * geometry.blockPages;
  file.store.forgetFolio(from, from + geometry.blockPages);
}

/** The folio leaves the file with its pins (allocator wrapper, deferred truncate, 4K eviction). */
function retireFolio(file: FileParts, b: number): void {
  const block = file.folios.ensure(b);
  const meta = block.meta!;
  dropFolio(file, b);
  file.folios.retirePins(block, meta, (p) => file.changes.ranges.push(p, p + 1));
  if (file.geometry.hugetlb) block.retired.push(meta);
}
