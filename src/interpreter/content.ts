/**
 * Contents at first exposure (DOMAIN 6; TRACE-FORMAT "Physical pages and
 * zeroing"): which bytes a fault zeroes in a folio that is not uptodate, and
 * INV-9 as checked: a page becomes exposed holding a nonzero byte, or a
 * zeroing clears a nonzero byte of a page already exposed. The breaks are
 * recorded on the file for the invariant checker; the trees' defects (K2,
 * K3, K5) are exactly such breaks.
 */
import type { GmemFile } from './gmem-file';

/** Zeroes pages [from, to) of the file; clearing an exposed page's bytes (outside `allowed`) is an INV-9 break. */
export function zeroPages(file: GmemFile, from: number, to: number, why: string, allowed?: { from: number; to: number }, defect?: string): void {
  const b = Math.floor(from / file.blockPages);
  const head = file.pfn(b * file.blockPages);
  if (head === undefined) return;
  const base = b * file.blockPages;
  for (const pfn of file.memory.framesIn(head + from - base, head + to - base)) {
    const page = base + pfn - head;
    const inside = allowed && page >= allowed.from && page < allowed.to;
    if (file.exposed[page] && !inside && !file.memory.isZero(pfn)) file.contentBreaks.push({ page, detail: `${why} cleared data of an exposed page`, ...(defect ? { defect } : {}) });
    file.memory.zeroPage(pfn);
  }
}

/**
 * Pages [from, to) become exposed; one holding a nonzero byte then is an
 * INV-9 break (stale bytes). A host fault zeroes its own page, so stale bytes
 * there are never a tree's defect; behind a guest fault they are the tree's
 * zeroing rule (K5 where page 0 only is zeroed, K2 where a merge kept sub-folio 0's uptodate).
 */
export function exposePages(file: GmemFile, from: number, to: number, newlyExposed: Array<{ page: number; readZero: boolean }>, by: 'host' | 'guest'): void {
  const defect = by === 'host' ? undefined : file.settings.profile.guestZero === 'page-0' ? 'K5' : file.settings.profile.guestZero === 'whole-folio' ? 'K2' : undefined;
  for (let p = from; p < to; p++) {
    if (file.exposed[p]) continue;
    file.exposed[p] = 1;
    const pfn = file.pfn(p);
    const readZero = pfn === undefined || file.memory.isZero(pfn);
    if (!readZero) file.contentBreaks.push({ page: p, detail: 'first exposure did not read zero', ...(defect ? { defect } : {}) });
    newlyExposed.push({ page: p, readZero });
  }
}

/** The first host fault or pin of a page: zero it if its folio (order 0) is not uptodate, mark it uptodate. */
export function zeroAtHostFault(file: GmemFile, p: number): void {
  if (file.uptodate[p]) return;
  if (!file.settings.faults.has('no-zero-on-first-fault')) zeroPages(file, p, p + 1, 'a host fault', undefined, mergeLostUptodate(file));
  file.uptodate[p] = 1;
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
    if (file.uptodate[p]) return;
    if (!fault) zeroPages(file, p, p + 1, 'a guest fault', undefined, mergeLostUptodate(file));
    file.uptodate[p] = 1;
    return;
  }
  const base = p - (p % file.blockPages);
  if (file.uptodate[base]) return;
  if (!fault) {
    const zero = file.settings.profile.guestZero;
    if (zero === 'whole-folio') zeroPages(file, base, base + file.blockPages, 'a guest fault zeroing the whole folio', undefined, 'K2');
    else if (zero === 'page-0') zeroPages(file, base, base + 1, 'a guest fault zeroing page 0 of the folio');
    else zeroPages(file, p, p + 1, 'a guest fault');
  }
  file.uptodate.fill(1, base, base + file.blockPages);
}

/**
 * The defect to blame when a fault's zeroing clears an exposed page of a
 * split HugeTLB block: it was exposed, so uptodate, until a merge gave the
 * block sub-folio 0's flag (K2 on rfc-v2; found by gmem explore).
 */
function mergeLostUptodate(file: GmemFile): string | undefined {
  return file.geometry.hugetlb && file.settings.profile.guestZero === 'whole-folio' ? 'K2' : undefined;
}
