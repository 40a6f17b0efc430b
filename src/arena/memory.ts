/**
 * Physical memory with real bytes, sparse: a page is materialised on its first
 * write and an unwritten page reads as zeroes, so a file of sixteen 1 GiB huge
 * pages costs only what was written. Addresses are page frame numbers (pfn)
 * plus an offset; nothing here knows about files or folios.
 *
 * Storage is allocated in slabs of 64 KiB (or one page, if pages are larger),
 * each with a bit per page saying whether it was written: a run of pages is
 * then one native copy rather than one per page, which is what makes block
 * reads and writes close to a plain Buffer copy. A slab whose pages are all
 * zeroed again is freed.
 */
const SLAB_BYTES = 64 * 1024;

interface Slab {
  bytes: Buffer;
  /** 1 where the page was written since it was last zeroed. */
  written: Uint8Array;
  count: number;
}

export class PhysicalMemory {
  private readonly slabs = new Map<number, Slab>();
  private readonly slabPages: number;

  constructor(readonly pageSize: number) {
    this.slabPages = Math.max(1, Math.floor(SLAB_BYTES / pageSize));
  }

  private slab(pfn: number, create: boolean): Slab | undefined {
    const index = Math.floor(pfn / this.slabPages);
    let slab = this.slabs.get(index);
    if (!slab && create) {
      slab = { bytes: Buffer.alloc(this.slabPages * this.pageSize), written: new Uint8Array(this.slabPages), count: 0 };
      this.slabs.set(index, slab);
    }
    return slab;
  }

  private markWritten(slab: Slab, firstPage: number, lastPage: number): void {
    for (let i = firstPage; i <= lastPage; i++) {
      if (!slab.written[i]) {
        slab.written[i] = 1;
        slab.count++;
      }
    }
  }

  /**
   * Visits the run of `length` bytes from (pfn, offset), which may cross
   * pages (consecutive frames), slab by slab: `fn(slab or undefined, byte
   * offset in the slab, offset in the run, bytes)`.
   */
  private each(pfn: number, offset: number, length: number, create: boolean, fn: (slab: Slab | undefined, at: number, done: number, n: number, first: number, last: number) => void): void {
    let done = 0;
    let address = pfn * this.pageSize + offset;
    const slabBytes = this.slabPages * this.pageSize;
    while (done < length) {
      const slabIndex = Math.floor(address / slabBytes);
      const at = address - slabIndex * slabBytes;
      const n = Math.min(slabBytes - at, length - done);
      const slab = this.slab(slabIndex * this.slabPages, create);
      fn(slab, at, done, n, Math.floor(at / this.pageSize), Math.floor((at + n - 1) / this.pageSize));
      done += n;
      address += n;
    }
  }

  /** Copies `length` bytes from (pfn, offset) into `out` at `outOffset`; the run may span consecutive frames. */
  read(pfn: number, offset: number, out: Buffer, outOffset: number, length: number): void {
    this.each(pfn, offset, length, false, (slab, at, done, n) => {
      if (slab) slab.bytes.copy(out, outOffset + done, at, at + n);
      else out.fill(0, outOffset + done, outOffset + done + n);
    });
  }

  /** Writes `length` bytes of `data` from `dataOffset` at (pfn, offset); the run may span consecutive frames. */
  write(pfn: number, offset: number, data: Buffer, dataOffset: number, length: number): void {
    this.each(pfn, offset, length, true, (slab, at, done, n, first, last) => {
      data.copy(slab!.bytes, at, dataOffset + done, dataOffset + done + n);
      this.markWritten(slab!, first, last);
    });
  }

  fill(pfn: number, offset: number, byte: number, length: number): void {
    this.each(pfn, offset, length, byte !== 0, (slab, at, _done, n, first, last) => {
      if (!slab) return; // a zero fill of unwritten memory leaves it unwritten
      slab.bytes.fill(byte, at, at + n);
      if (byte !== 0) this.markWritten(slab, first, last);
    });
  }

  /** Zeroes a whole page; it counts as unwritten again, and an all-unwritten slab is freed. */
  zeroPage(pfn: number): void {
    const slab = this.slab(pfn, false);
    if (!slab) return;
    const i = pfn % this.slabPages;
    slab.bytes.fill(0, i * this.pageSize, (i + 1) * this.pageSize);
    if (slab.written[i]) {
      slab.written[i] = 0;
      slab.count--;
      if (slab.count === 0) this.slabs.delete(Math.floor(pfn / this.slabPages));
    }
  }

  private page(pfn: number): Buffer | undefined {
    const slab = this.slab(pfn, false);
    const i = pfn % this.slabPages;
    if (!slab || !slab.written[i]) return undefined;
    return slab.bytes.subarray(i * this.pageSize, (i + 1) * this.pageSize);
  }

  isZero(pfn: number): boolean {
    const page = this.page(pfn);
    return !page || page.every((b) => b === 0);
  }

  /** A cheap fingerprint of a page's bytes (for "nothing else changes bytes" checks); 0 for an unwritten page. */
  digest(pfn: number): number {
    const page = this.page(pfn);
    if (!page) return 0;
    let h = 0x811c9dc5;
    for (let i = 0; i < page.length; i++) h = Math.imul(h ^ page[i]!, 0x01000193);
    return h >>> 0 || 1;
  }

  /** The written frames in [from, to): unwritten ones read zero and need no work. */
  framesIn(from: number, to: number): number[] {
    const out: number[] = [];
    const visit = (index: number, slab: Slab) => {
      const base = index * this.slabPages;
      for (let i = 0; i < this.slabPages; i++) if (slab.written[i] && base + i >= from && base + i < to) out.push(base + i);
    };
    const first = Math.floor(from / this.slabPages);
    const last = Math.floor((to - 1) / this.slabPages);
    if (this.slabs.size < last - first + 1) {
      for (const [index, slab] of this.slabs) if (index >= first && index <= last) visit(index, slab);
    } else {
      for (let index = first; index <= last; index++) {
        const slab = this.slabs.get(index);
        if (slab) visit(index, slab);
      }
    }
    return out.sort((a, b) => a - b);
  }

  get materialisedPages(): number {
    let n = 0;
    for (const slab of this.slabs.values()) n += slab.count;
    return n;
  }
}
