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
 *
 * A slab starts sparse, one buffer per written page, and becomes one
 * contiguous buffer once a write spans pages or a few of its pages are
 * written: scattered single-page writes over a huge file (a 64 TiB file
 * written here and there) cost a page each, not a slab each, while block
 * copies still run as one native copy per slab.
 */
const SLAB_BYTES = 64 * 1024;
/** written pages a sparse slab holds before it becomes contiguous. */
const SPARSE_PAGES = 2;

export interface Slab {
  /** the slab's bytes, once contiguous. */
  bytes?: Buffer;
  /** while sparse: the written pages' bytes, by index in the slab. */
  pages?: Map<number, Buffer>;
  /** 1 where the page was written since it was last zeroed. */
  written: Uint8Array;
  count: number;
}

/** The memory's state: its slabs (shared with the live memory; restore copies them) and how many pages a slab holds. */
export interface MemorySnapshot {
  readonly pageSize: number;
  readonly slabPages: number;
  readonly slabs: ReadonlyMap<number, Readonly<Slab>>;
}

export class PhysicalMemory {
  private readonly slabs = new Map<number, Slab>();
  private slabPages: number;

  /** `slabPages`: pages per slab, 64 KiB of them unless the caller knows better (storage only: every answer is the same). */
  constructor(
    readonly pageSize: number,
    slabPages = Math.max(1, Math.floor(SLAB_BYTES / pageSize)),
  ) {
    this.slabPages = slabPages;
  }

  /** A memory holding what `state` describes, copied. */
  static fromSnapshot(state: MemorySnapshot): PhysicalMemory {
    const memory = new PhysicalMemory(state.pageSize, state.slabPages);
    memory.restore(state);
    return memory;
  }

  private slab(pfn: number, create: boolean): Slab | undefined {
    const index = Math.floor(pfn / this.slabPages);
    let slab = this.slabs.get(index);
    if (!slab && create) {
      slab = { pages: new Map(), written: new Uint8Array(this.slabPages), count: 0 };
      this.slabs.set(index, slab);
    }
    return slab;
  }

  /** The slab's bytes as one buffer, made contiguous now if it was sparse. */
  private dense(slab: Slab): Buffer {
    if (slab.bytes) return slab.bytes;
    const bytes = Buffer.alloc(this.slabPages * this.pageSize);
    for (const [i, page] of slab.pages!) page.copy(bytes, i * this.pageSize);
    slab.bytes = bytes;
    slab.pages = undefined;
    return bytes;
  }

  /** Where page i of the slab lives, for a write to [first, last] of it: a page buffer while sparse, else the slab's. */
  private target(slab: Slab, first: number, last: number, at: number): { buffer: Buffer; at: number } {
    if (!slab.bytes && first === last && (slab.pages!.has(first) || slab.pages!.size < SPARSE_PAGES)) {
      let page = slab.pages!.get(first);
      if (!page) slab.pages!.set(first, (page = Buffer.alloc(this.pageSize)));
      return { buffer: page, at: at - first * this.pageSize };
    }
    return { buffer: this.dense(slab), at };
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
    this.each(pfn, offset, length, false, (slab, at, done, n, first, last) => {
      if (slab?.bytes) slab.bytes.copy(out, outOffset + done, at, at + n);
      else if (slab) {
        // Sparse: page by page, unwritten ones read zero.
        for (let i = first, from = at; i <= last; i++) {
          const end = Math.min(at + n, (i + 1) * this.pageSize);
          const page = slab.pages!.get(i);
          if (page) page.copy(out, outOffset + done + from - at, from - i * this.pageSize, end - i * this.pageSize);
          else out.fill(0, outOffset + done + from - at, outOffset + done + end - at);
          from = end;
        }
      } else out.fill(0, outOffset + done, outOffset + done + n);
    });
  }

  /** Writes `length` bytes of `data` from `dataOffset` at (pfn, offset); the run may span consecutive frames. */
  write(pfn: number, offset: number, data: Buffer, dataOffset: number, length: number): void {
    this.each(pfn, offset, length, true, (slab, at, done, n, first, last) => {
      const t = this.target(slab!, first, last, at);
      data.copy(t.buffer, t.at, dataOffset + done, dataOffset + done + n);
      this.markWritten(slab!, first, last);
    });
  }

  fill(pfn: number, offset: number, byte: number, length: number): void {
    this.each(pfn, offset, length, byte !== 0, (slab, at, _done, n, first, last) => {
      if (!slab) return; // a zero fill of unwritten memory leaves it unwritten
      if (byte === 0 && !slab.bytes) {
        // Zeroing a sparse slab touches only the pages it holds.
        for (let i = first; i <= last; i++) slab.pages!.get(i)?.fill(0, Math.max(at, i * this.pageSize) - i * this.pageSize, Math.min(at + n, (i + 1) * this.pageSize) - i * this.pageSize);
        return;
      }
      const t = this.target(slab, first, last, at);
      t.buffer.fill(byte, t.at, t.at + n);
      if (byte !== 0) this.markWritten(slab, first, last);
    });
  }

  /** Zeroes a whole page; it counts as unwritten again, and an all-unwritten slab is freed. */
  zeroPage(pfn: number): void {
    const slab = this.slab(pfn, false);
    if (!slab) return;
    const i = pfn % this.slabPages;
    if (slab.bytes) slab.bytes.fill(0, i * this.pageSize, (i + 1) * this.pageSize);
    else slab.pages!.delete(i);
    if (slab.written[i]) {
      slab.written[i] = 0;
      slab.count--;
      if (slab.count === 0) this.slabs.delete(Math.floor(pfn / this.slabPages));
    }
  }

  /** The page's bytes as a view into the arena (read only; undefined while unwritten, which reads as zeroes). */
  peek(pfn: number): Buffer | undefined {
    const slab = this.slab(pfn, false);
    const i = pfn % this.slabPages;
    if (!slab || !slab.written[i]) return undefined;
    if (!slab.bytes) return slab.pages!.get(i);
    return slab.bytes.subarray(i * this.pageSize, (i + 1) * this.pageSize);
  }

  isZero(pfn: number): boolean {
    const page = this.peek(pfn);
    return !page || page.every((b) => b === 0);
  }

  /** A cheap fingerprint of a page's bytes (for "nothing else changes bytes" checks); 0 for an unwritten page. */
  digest(pfn: number): number {
    const page = this.peek(pfn);
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

  snapshot(): MemorySnapshot {
    return { pageSize: this.pageSize, slabPages: this.slabPages, slabs: this.slabs };
  }

  /** Holds what `state` describes from now on, every slab's bytes copied (the page size must be the same). */
  restore(state: MemorySnapshot): void {
    if (state.pageSize !== this.pageSize) throw new RangeError(`a memory of ${state.pageSize}-byte pages restored into one of ${this.pageSize}`);
    if (state.slabs === this.slabs) return; // its own state
    this.slabPages = state.slabPages;
    this.slabs.clear();
    for (const [index, slab] of state.slabs) {
      this.slabs.set(index, {
        ...(slab.bytes ? { bytes: Buffer.from(slab.bytes) } : {}),
        ...(slab.pages ? { pages: new Map([...slab.pages].map(([i, page]) => [i, Buffer.from(page)])) } : {}),
        written: slab.written.slice(),
        count: slab.count,
      });
    }
  }

  /** An independent copy (the explorer forks a state per step it tries). */
  clone(): PhysicalMemory {
    return PhysicalMemory.fromSnapshot(this.snapshot());
  }
}
