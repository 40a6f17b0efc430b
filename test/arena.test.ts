/** The arena on its own: sparse bytes, the HugeTLB pool's counters, per-folio metadata. */
import { PhysicalMemory } from '../src/arena/memory';
import { HugePool } from '../src/arena/pool';

describe('PhysicalMemory', () => {
  it('reads zeroes where nothing was written and materialises only written pages', () => {
    const m = new PhysicalMemory(16);
    const out = Buffer.alloc(4, 9);
    m.read(1000, 4, out, 0, 4);
    expect([...out]).toEqual([0, 0, 0, 0]);
    m.write(7, 2, Buffer.from([1, 2, 3]), 0, 3);
    expect(m.materialisedPages).toBe(1);
    const back = Buffer.alloc(5);
    m.read(7, 0, back, 0, 5);
    expect([...back]).toEqual([0, 0, 1, 2, 3]);
    m.fill(8, 0, 0, 16);
    expect(m.materialisedPages).toBe(1); // a zero fill of an absent page stays absent
    expect(m.framesIn(0, 100)).toEqual([7]);
    expect(m.isZero(7)).toBe(false);
    m.zeroPage(7);
    expect(m.isZero(7)).toBe(true);
    expect(m.materialisedPages).toBe(0);
  });

  it('digests differ when bytes differ and are 0 only for an unwritten page', () => {
    const m = new PhysicalMemory(16);
    expect(m.digest(1)).toBe(0);
    m.fill(1, 0, 0x41, 16);
    m.fill(2, 0, 0x42, 16);
    expect(m.digest(1)).not.toBe(0);
    expect(m.digest(1)).not.toBe(m.digest(2));
  });
});

describe('HugePool', () => {
  it('keeps HugePages_Free and HugePages_Rsvd as the kernel does', () => {
    const pool = new HugePool(3, 512);
    expect([pool.free, pool.rsvd, pool.unreserved]).toEqual([3, 0, 3]);
    pool.reserve(2);
    expect([pool.free, pool.rsvd, pool.unreserved]).toEqual([3, 2, 1]);
    const a = pool.take(true);
    expect([pool.free, pool.rsvd]).toEqual([2, 1]);
    const b = pool.take(false);
    expect([pool.free, pool.rsvd]).toEqual([1, 1]);
    pool.giveBack(a, true);
    expect([pool.free, pool.rsvd]).toEqual([2, 2]);
    pool.giveBack(b, false);
    pool.unreserve(2);
    expect([pool.free, pool.rsvd]).toEqual([3, 0]);
  });

  it('hands out whole, aligned huge pages and tracks order, original order and pins per frame', () => {
    const pool = new HugePool(2, 4);
    const folio = pool.take(false);
    expect(folio.head % 4).toBe(0);
    expect(pool.folioOfPfn(folio.head + 3)).toEqual({ head: folio.head, order: 2 });
    folio.pins.set(1, 2);
    expect(pool.refcountOf(folio.head + 3)).toBe(3);
    folio.order = 0; // split: metadata only
    expect(pool.folioOfPfn(folio.head + 3)).toEqual({ head: folio.head + 3, order: 0 });
    expect(pool.refcountOf(folio.head + 1)).toBe(3);
    expect(pool.refcountOf(folio.head + 2)).toBe(1);
    pool.giveBack(folio, false);
    expect(pool.returns).toEqual([{ head: folio.head, order: 0, originalOrder: 2 }]);
    expect(pool.folioOfPfn(folio.head)).toBeUndefined();
  });
});

describe('reads through the simulator', () => {
  it('land in the caller\'s buffer when one is given, across slabs and pages', () => {
    const { Simulator } = require('../src/interpreter/simulator') as typeof import('../src/interpreter/simulator');
    const { defaultConfig } = require('../src/interpreter/config') as typeof import('../src/interpreter/config');
    const { create } = require('../src/interpreter/ops/create') as typeof import('../src/interpreter/ops/create');
    const { hostAccess } = require('../src/interpreter/ops/host-access') as typeof import('../src/interpreter/ops/host-access');
    const sim = new Simulator(defaultConfig({ poolHugePages: 1 }));
    expect(create(sim, 2 << 20, ['mmap', 'init-shared', 'hugetlb']).kind).toBe('ok');
    const data = Buffer.alloc(200_000, 0x5a);
    expect(hostAccess(sim, 70_000, data.length, 0, { data }).kind).toBe('ok');
    const into = Buffer.alloc(200_002, 1);
    const read = hostAccess(sim, 69_999, 200_002, 0, undefined, into);
    expect(read.kind === 'ok' && read.data).toBe(into);
    expect([into[0], into[1], into[200_000], into[200_001]]).toEqual([0, 0x5a, 0x5a, 0]);
    expect(() => hostAccess(sim, 0, 10, 0, undefined, Buffer.alloc(4))).toThrow(RangeError);
  });
});
