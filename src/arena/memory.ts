/**
 * Physical memory with real bytes, sparse: a page is materialised on its first
 * write and an unwritten page reads as zeroes, so a file of sixteen 1 GiB huge
 * pages costs only what was written. Addresses are page frame numbers (pfn)
 * plus an offset; nothing here knows about files or folios.
 */
export class PhysicalMemory {
  private readonly frames = new Map<number, Uint8Array>();

  constructor(readonly pageSize: number) {}

  /** Copies `length` bytes at (pfn, offset) into `out` at `outOffset`; never crosses the page. */
  read(pfn: number, offset: number, out: Uint8Array, outOffset: number, length: number): void {
    const frame = this.frames.get(pfn);
    if (frame) out.set(frame.subarray(offset, offset + length), outOffset);
    else out.fill(0, outOffset, outOffset + length);
  }

  write(pfn: number, offset: number, data: Uint8Array, dataOffset: number, length: number): void {
    let frame = this.frames.get(pfn);
    if (!frame) {
      frame = new Uint8Array(this.pageSize);
      this.frames.set(pfn, frame);
    }
    frame.set(data.subarray(dataOffset, dataOffset + length), offset);
  }

  fill(pfn: number, offset: number, byte: number, length: number): void {
    let frame = this.frames.get(pfn);
    if (!frame) {
      if (byte === 0) return;
      frame = new Uint8Array(this.pageSize);
      this.frames.set(pfn, frame);
    }
    frame.fill(byte, offset, offset + length);
  }

  /** Zeroes a whole page; the frame is dropped, since an absent frame reads as zeroes. */
  zeroPage(pfn: number): void {
    this.frames.delete(pfn);
  }

  isZero(pfn: number): boolean {
    const frame = this.frames.get(pfn);
    return !frame || frame.every((b) => b === 0);
  }

  /** A cheap fingerprint of a page's bytes (for "nothing else changes bytes" checks). */
  digest(pfn: number): number {
    const frame = this.frames.get(pfn);
    if (!frame) return 0;
    let h = 0x811c9dc5;
    for (let i = 0; i < frame.length; i++) h = Math.imul(h ^ frame[i]!, 0x01000193);
    return h >>> 0 || 1;
  }

  /** The materialised frames in [from, to): unwritten ones read zero and need no work. */
  framesIn(from: number, to: number): number[] {
    const out: number[] = [];
    if (this.frames.size < to - from) {
      for (const pfn of this.frames.keys()) if (pfn >= from && pfn < to) out.push(pfn);
    } else {
      for (let pfn = from; pfn < to; pfn++) if (this.frames.has(pfn)) out.push(pfn);
    }
    return out;
  }

  get materialisedPages(): number {
    return this.frames.size;
  }
}
