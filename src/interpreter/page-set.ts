/**
 * A set of pages kept as runs (a RunMap of 0 and 1): host mappings per
 * process and 4 KiB guest mappings. Mapping or unmapping a range costs the
 * runs it touches, never its pages, so zapping a 1 GiB block is one call.
 * Every change is told to `onChange` (the file's record of what a step
 * changed, for the incremental invariant checks).
 */
import type { Run } from './run-map';
import { RunMap } from './run-map';

export type RangeListener = (from: number, to: number) => void;

export class PageSet {
  private map: RunMap<number>;

  constructor(
    readonly length: number,
    private readonly onChange?: RangeListener,
  ) {
    this.map = new RunMap<number>(length, 0);
  }

  has(page: number): boolean {
    return page >= 0 && page < this.length && this.map.get(page) === 1;
  }

  /** The end of the run of member pages holding `page`, or -1 when it is not a member. */
  memberRunEnd(page: number): number {
    if (page < 0 || page >= this.length) return -1;
    const run = this.map.runAt(page);
    return run.value === 1 ? run.to : -1;
  }

  add(page: number): void {
    this.addRange(page, page + 1);
  }

  delete(page: number): void {
    this.deleteRange(page, page + 1);
  }

  addRange(from: number, to: number): void {
    this.map.set(from, to, 1, this.onChange);
  }

  deleteRange(from: number, to: number): void {
    const lo = Math.max(0, from);
    const hi = Math.min(this.length, to);
    if (lo >= hi || this.map.count(1) === 0) return;
    this.map.set(lo, hi, 0, this.onChange);
  }

  clear(): void {
    this.deleteRange(0, this.length);
  }

  /** How many pages are in the set: O(1). */
  get size(): number {
    return this.map.count(1);
  }

  /** The runs of member pages within [from, to), in page order. */
  *ranges(from = 0, to = this.length): IterableIterator<Run<number>> {
    if (this.map.count(1) === 0) return;
    for (const run of this.map.runs(Math.max(0, from), Math.min(this.length, to))) if (run.value === 1) yield run;
  }

  /** The member pages in [from, to), in page order (for small ranges and reports). */
  *pages(from = 0, to = this.length): IterableIterator<number> {
    for (const run of this.ranges(from, to)) for (let p = run.from; p < run.to; p++) yield p;
  }

  [Symbol.iterator](): IterableIterator<number> {
    return this.pages();
  }

  /** A copy that later changes leave alone (copy-on-write); it reports its changes to `onChange`, if given. */
  clone(onChange?: RangeListener): PageSet {
    const copy = new PageSet(this.length, onChange);
    copy.map = this.map.clone();
    return copy;
  }

  /** Whether the page is in the set: 1, else 0 (the guest-mapping level of a 4 KiB leaf). */
  level(page: number): number {
    return this.has(page) ? 1 : 0;
  }
}
