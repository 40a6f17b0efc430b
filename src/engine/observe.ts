/**
 * The `check` step: compares only the fields a trace gives with what the
 * simulator shows (TRACE-FORMAT expect, check), field by field, so replay's
 * verdict and the viewer's table are the same comparison. An unaligned page
 * offset means the page holding it; after close, pages report their last
 * shareability and `allocated: false`.
 */
import type { CheckExpectation } from '../trace/schema';
import type { Reads } from './reads';

export interface CheckedField {
  /** the field as the trace names it: `pages[0].shareability`, `hugetlb.free`. */
  field: string;
  /** for a page's field: the offset the trace gave and the page holding it. */
  page?: { offset: number; page: number };
  expected: string;
  actual: string;
  ok: boolean;
  /** `expected` and `actual` are whole phrases (a page the file does not have), not values of `field`. */
  phrase?: true;
}

export interface Mismatch {
  expected: string;
  actual: string;
}

/** Every field the check gives, with what the simulator shows; a page beyond the file (or with no file) is one field that fails. */
export function checkedFields(reads: Reads, expect: CheckExpectation): CheckedField[] {
  const file = reads.file();
  const pool = reads.pool();
  const out: CheckedField[] = [];
  const add = (field: string, want: unknown, have: unknown, page?: CheckedField['page']) => {
    if (want === undefined) return;
    out.push({ field, ...(page ? { page } : {}), expected: JSON.stringify(want), actual: JSON.stringify(have), ok: want === have });
  };
  expect.pages?.forEach((page, i) => {
    const where = `pages[${i}]`;
    if (!file) {
      out.push({ field: where, expected: `${where} at offset ${page.offset}`, actual: 'no file', ok: false, phrase: true });
      return;
    }
    const p = Math.floor(page.offset / file.pageSize);
    if (p >= file.nPages) {
      out.push({ field: where, expected: `${where} at offset ${page.offset}`, actual: `offset beyond the file's ${file.nPages * file.pageSize} bytes`, ok: false, phrase: true });
      return;
    }
    const at = { offset: page.offset, page: p };
    add(`${where}.shareability`, page.shareability, file.shareability(p), at);
    add(`${where}.allocated`, page.allocated, file.isAllocated(p), at);
    add(`${where}.folioOrder`, page.folioOrder, file.folioOrder(p), at);
    add(`${where}.hostMapped`, page.hostMapped, file.hostMapped(p), at);
    add(`${where}.guestMapping`, page.guestMapping, file.guestMapping(p), at);
  });
  add('hugetlb.free', expect.hugetlb?.free, pool.free);
  add('hugetlb.rsvd', expect.hugetlb?.rsvd, pool.rsvd);
  add('hugetlb.cgroupRsvd', expect.hugetlb?.cgroupRsvd, pool.cgroupRsvd);
  add('hugetlb.cgroupUsage', expect.hugetlb?.cgroupUsage, pool.cgroupUsage);
  add('allocatedBytes', expect.allocatedBytes, file?.allocatedBytes ?? 0);
  add('pendingMerge', expect.pendingMerge, file?.pendingMerge ?? 0);
  add('open', expect.open, file?.inodeAlive ?? false);
  return out;
}

/** The fields that differ, in replay's wording (`field=expected` against `field=actual`), or undefined when all agree. */
export function mismatchOf(fields: ReadonlyArray<CheckedField>): Mismatch | undefined {
  const wrong = fields.filter((f) => !f.ok);
  if (!wrong.length) return undefined;
  const side = (f: CheckedField, value: string) => (f.phrase ? value : `${f.field}=${value}`);
  return { expected: wrong.map((f) => side(f, f.expected)).join(', '), actual: wrong.map((f) => side(f, f.actual)).join(', ') };
}
