/**
 * From a trace's geometry to the kernel's. The explorer and small traces use
 * a model geometry (pageSize 16, hugePageSize 64: four pages a block) that
 * behaves like the real one; the kernel has 4 KiB pages and 2 MiB or 1 GiB
 * blocks. The map keeps the block structure:
 *
 *   trace block b, page k < N-1   ->  real block b, page k
 *   trace block b, page N-1       ->  real block b, pages N-1 .. end of block
 *
 * so the last page of a trace block stands for the rest of the real block
 * (every conversion, punch or fallocate that covers it covers all of them,
 * and an access to it touches the first of them). A range end at a block
 * boundary stays a block boundary; a byte offset inside a page is kept.
 * Files without HugeTLB just scale pages: page k -> real page k.
 */
const REAL_PAGE = 4096;
const SZ_2M = 2 * 1024 * 1024;
const SZ_1G = 1024 * 1024 * 1024;

export interface Segment {
  /** real offset */
  offset: number;
  length: number;
  /** where the segment's bytes start in the trace's data */
  from: number;
}

export class Scale {
  readonly identity: boolean;
  readonly realPage = REAL_PAGE;
  /** real block of the file (its huge page, or a page) */
  readonly realBlock: number;
  private readonly perBlock: number;

  /**
   * `hugeFile`: the file is created with hugetlb and hugePageSize > pageSize.
   * `realHuge`: the kernel's huge page the trace's block becomes.
   */
  constructor(readonly pageSize: number, readonly hugePageSize: number, readonly hugeFile: boolean, readonly realHuge: number) {
    this.identity = pageSize === REAL_PAGE;
    this.perBlock = hugeFile ? hugePageSize / pageSize : 1;
    this.realBlock = hugeFile ? realHuge : REAL_PAGE;
  }

  /** The kernel's huge page for a trace geometry, or why there is none. */
  static realHugeFor(pageSize: number, hugePageSize: number): number | string {
    if (pageSize === REAL_PAGE) return hugePageSize === SZ_2M || hugePageSize === SZ_1G || hugePageSize === REAL_PAGE ? hugePageSize : 'x86 HugeTLB pages are 2 MiB or 1 GiB';
    if (pageSize > REAL_PAGE) return `a ${pageSize}-byte page is larger than the kernel's ${REAL_PAGE}`;
    const perBlock = hugePageSize / pageSize;
    if (perBlock === 1) return SZ_2M; // no huge pages in the file; the pool's size is x86's default
    if (perBlock <= SZ_2M / REAL_PAGE) return SZ_2M;
    if (perBlock <= SZ_1G / REAL_PAGE) return SZ_1G;
    return `${perBlock} pages a block do not fit a 1 GiB huge page`;
  }

  /** A trace byte offset as a real one. */
  pos(x: number): number {
    if (this.identity) return x;
    const page = Math.floor(x / this.pageSize);
    const block = Math.floor(page / this.perBlock);
    return block * this.realBlock + (page % this.perBlock) * REAL_PAGE + (x % this.pageSize);
  }

  /** A trace range's real length (its end mapped as a position). */
  len(offset: number, length: number): number {
    return this.pos(offset + length) - this.pos(offset);
  }

  /** An access as real accesses, split where the trace's pages end (real pages are not adjacent). */
  segments(offset: number, length: number): Segment[] {
    if (this.identity || length === 0) return [{ offset: this.pos(offset), length, from: 0 }];
    const out: Segment[] = [];
    for (let at = offset; at < offset + length; ) {
      const end = Math.min(offset + length, (Math.floor(at / this.pageSize) + 1) * this.pageSize);
      out.push({ offset: this.pos(at), length: end - at, from: at - offset });
      at = end;
    }
    return out;
  }

  /** A byte count of whole blocks (or pages, without HugeTLB) as real bytes; undefined if it is not one. */
  bytes(v: number): number | undefined {
    if (this.identity) return v;
    const unit = this.hugeFile ? this.hugePageSize : this.pageSize;
    return v % unit === 0 ? (v / unit) * this.realBlock : undefined;
  }

  /** A size in the memory-fault payload (pages) as real bytes. */
  pages(v: number): number | undefined {
    if (this.identity) return v;
    return v % this.pageSize === 0 ? (v / this.pageSize) * REAL_PAGE : undefined;
  }

  describe(): string {
    if (this.identity) return '';
    return this.hugeFile
      ? `The trace's geometry (pageSize ${this.pageSize}, hugePageSize ${this.hugePageSize}) is scaled to the kernel's: page k of a block is real page k of a ${this.realBlock >> 20} MiB block, the block's last page stands for the rest of the real block, and byte offsets within a page are kept. Offsets below are real.`
      : `The trace's ${this.pageSize}-byte pages are scaled to the kernel's 4 KiB pages (page k is real page k; byte offsets within a page are kept). Offsets below are real.`;
  }
}
