/**
 * Contents at first exposure (DOMAIN 6; TRACE-FORMAT "Physical pages and
 * zeroing"): which bytes a fault zeroes in a folio that is not uptodate, and
 * INV-9 as checked: a page becomes exposed holding a nonzero byte, or a
 * zeroing clears a nonzero byte of a page already exposed. The breaks are
 * recorded on the file for the invariant checker; the trees' defects (K2,
 * K3, K5) are exactly such breaks. Only written frames can hold a nonzero
 * byte, so the work follows the runs and the written frames, never the pages.
 */
import type { GmemFile } from './gmem-file';
import { causedDefect } from '../../machines/expectations';

/** Pages [from, to) of the file exposed by a step (ranges, for INV-9's coverage). */
export type Exposure = { from: number; to: number };

/** Zeroes pages [from, to) of one block; clearing an exposed page's bytes (outside `allowed`) is an INV-9 break. */
export function zeroPages(file: GmemFile, from: number, to: number, why: string, allowed?: { from: number; to: number }, defect?: string): void {
  const b = Math.floor(from / file.blockPages);
  const head = file.pfn(b * file.blockPages);
  if (head === undefined) return;
  const base = b * file.blockPages;
  for (const pfn of file.memory.framesIn(head + from - base, head + to - base)) {
    const page = base + pfn - head;
    const inside = allowed && page >= allowed.from && page < allowed.to;
    if (!inside && file.store.exposed.get(page) && !file.memory.isZero(pfn)) file.contentBreaks.push({ page, detail: `${why} cleared data of an exposed page`, ...(defect ? { defect } : {}) });
    file.memory.zeroPage(pfn);
  }
}

/**
 * Pages [from, to) of one block become exposed; one holding a nonzero byte
 * then is an INV-9 break (stale bytes). A host fault zeroes its own page, so stale bytes
 * there are never a tree's defect; behind a guest fault they are the tree's
 * zeroing rule (K5 where page 0 only is zeroed, K2 where a merge kept sub-folio 0's uptodate).
 */
export function exposePages(file: GmemFile, from: number, to: number, newlyExposed: Exposure[], by: 'host' | 'guest'): void {
  const defect = by === 'host' ? undefined : causedDefect(file.settings.profile, 'guestZero', 'INV-9');
  const hidden = [...file.store.exposed.runs(from, to)].filter((run) => run.value === 0);
  if (hidden.length === 0) return;
  const head = file.pfn(from);
  const base = from - (from % file.blockPages);
  for (const run of hidden) {
    if (head !== undefined) {
      const first = head - (from - base);
      for (const pfn of file.memory.framesIn(first + run.from - base, first + run.to - base)) {
        if (!file.memory.isZero(pfn)) file.contentBreaks.push({ page: base + pfn - first, detail: 'first exposure did not read zero', ...(defect ? { defect } : {}) });
      }
    }
    file.store.exposed.set(run.from, run.to, 1);
    newlyExposed.push({ from: run.from, to: run.to });
  }
}

/** The first host fault or pin of a page: zero it if its folio (order 0) is not uptodate, mark it uptodate. */
export function zeroAtHostFault(file: GmemFile, p: number): void {
  if (file.store.uptodate.get(p)) return;
  if (!file.settings.faults.has('no-zero-on-first-fault')) zeroPages(file, p, p + 1, 'a host fault', undefined, mergeLostUptodate(file));
  file.store.uptodate.set(p, p + 1, 1);
}

/**
 * A guest fault on a page whose folio is not uptodate zeroes per tree
 * (profile.guestZero): rfc-v2 the whole folio (folio_zero_user in
 * kvm_gmem_prepare_folio), WIP page 0 of the folio (clear_highpage in
 * kvm_gmem_get_pfn), in-place the page; then the folio is uptodate.
 */
export function zeroAtGuestFault(file: GmemFile, p: number): void {
  const fault = file.settings.faults.has('no-zero-on-first-fault');
  if (!file.isHuge(p)) {
    if (file.store.uptodate.get(p)) return;
    if (!fault) zeroPages(file, p, p + 1, 'a guest fault', undefined, mergeLostUptodate(file));
    file.store.uptodate.set(p, p + 1, 1);
    return;
  }
  const base = p - (p % file.blockPages);
  if (file.store.uptodate.get(base)) return;
  if (!fault) {
    const zero = file.settings.profile.guestZero;
    if (zero === 'whole-folio') zeroPages(file, base, base + file.blockPages, 'a guest fault zeroing the whole folio', undefined, causedDefect(file.settings.profile, 'guestZero', 'INV-9'));
    else if (zero === 'page-0') zeroPages(file, base, base + 1, 'a guest fault zeroing page 0 of the folio');
    else zeroPages(file, p, p + 1, 'a guest fault');
  }
  file.store.uptodate.set(base, base + file.blockPages, 1);
}

/**
 * The defect to blame when a fault's zeroing clears an exposed page of a
 * split HugeTLB block: it was exposed, so uptodate, until a merge gave the
 * block sub-folio 0's flag (K2 on rfc-v2; found by gmem explore).
 */
function mergeLostUptodate(file: GmemFile): string | undefined {
  return file.geometry.hugetlb && file.settings.profile.guestZero === 'whole-folio' ? causedDefect(file.settings.profile, 'guestZero', 'INV-9') : undefined;
}
