/**
 * The `check` step: compares only the fields a trace gives with what the
 * simulator shows (TRACE-FORMAT expect, check). An unaligned page offset
 * means the page holding it; after close, pages report their last
 * shareability and `allocated: false`.
 */
import type { Simulator } from '../interpreter/simulator';
import type { CheckExpectation } from './schema';

export interface Mismatch {
  expected: string;
  actual: string;
}

export function observe(sim: Simulator, expect: CheckExpectation): Mismatch | undefined {
  const file = sim.file;
  const wrong: string[] = [];
  const got: string[] = [];
  const compare = (field: string, want: unknown, have: unknown) => {
    if (want === undefined || want === have) return;
    wrong.push(`${field}=${JSON.stringify(want)}`);
    got.push(`${field}=${JSON.stringify(have)}`);
  };
  expect.pages?.forEach((page, i) => {
    const where = `pages[${i}]`;
    if (!file) {
      wrong.push(`${where} at offset ${page.offset}`);
      got.push('no file');
      return;
    }
    const p = Math.floor(page.offset / file.pageSize);
    if (p >= file.nPages) {
      wrong.push(`${where} at offset ${page.offset}`);
      got.push(`offset beyond the file's ${file.geometry.size} bytes`);
      return;
    }
    const block = file.blocks[Math.floor(p / file.blockPages)]!;
    compare(`${where}.shareability`, page.shareability, file.shareability(p));
    compare(`${where}.allocated`, page.allocated, file.isAllocated(p));
    compare(`${where}.folioOrder`, page.folioOrder, file.folioOrder(p));
    compare(`${where}.hostMapped`, page.hostMapped, [...file.hostMaps.values()].some((pages) => pages.has(p)));
    compare(`${where}.guestMapping`, page.guestMapping, block.guestHuge ? 'huge' : file.guest4k.has(p) ? '4k' : 'none');
  });
  compare('hugetlb.free', expect.hugetlb?.free, sim.pool.free);
  compare('hugetlb.rsvd', expect.hugetlb?.rsvd, sim.pool.rsvd);
  compare('hugetlb.cgroupRsvd', expect.hugetlb?.cgroupRsvd, sim.pool.cgroupRsvd);
  compare('hugetlb.cgroupUsage', expect.hugetlb?.cgroupUsage, sim.pool.cgroupUsage);
  compare('allocatedBytes', expect.allocatedBytes, file?.allocatedBytes ?? 0);
  compare('pendingMerge', expect.pendingMerge, file?.pendingMerge ?? 0);
  compare('open', expect.open, file?.inodeAlive ?? false);
  return wrong.length ? { expected: wrong.join(', '), actual: got.join(', ') } : undefined;
}
