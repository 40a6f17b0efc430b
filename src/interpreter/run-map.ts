/**
 * Per-page state as runs, like the kernel's maple tree of shareability
 * (kvm_gmem_inode_private.shareability, a maple tree of ranges): a map from
 * every page of [0, length) to a small value, kept as maximal runs
 * [from, to) of equal value. A 1 GiB block whose pages share one state is
 * one run; converting one page in its middle makes three, and converting it
 * back makes one again (runs coalesce). The cost of an operation follows the
 * number of runs it touches, never the number of pages.
 *
 * The runs are a B+ tree (sorted-btree, a maintained library with
 * copy-on-write clones) keyed by each run's first page; a run ends where the
 * next begins. get, set and update cost O(log runs + runs touched); a set
 * adds at most two keys, so what it removes is paid for by earlier sets.
 * Totals per value over the whole map are kept as runs change, so counting
 * a value over the whole file is O(1). Values compare with ===: numbers,
 * strings, booleans (codes, enums, counts), never objects.
 *
 * A map of at most DENSE_PAGES pages keeps one value per page in an array
 * instead (the explorer's and the walk's blocks are 2 to 16 pages): there a
 * scan of the pages costs less than one tree lookup, and a clone is one
 * array copy. Both forms answer every call alike, run for run
 * (test/run-map.test.ts holds each to a plain array of pages).
 */
import BTree from 'sorted-btree';

export interface Run<V> {
  from: number;
  to: number;
  value: V;
}

/**
 * Told of each part of a set or update that changed value, in page order,
 * once the map is whole again: what a step reports as changed, for checks
 * that look only there.
 */
export type OnChange<V> = (from: number, to: number, old: V, value: V) => void;

/** Maps of at most this many pages keep a value per page (see the file comment). */
export const DENSE_PAGES = 64;

/** How a map keeps its pages: runs in a B+ tree, or one value per page. */
export type RunMapForm = 'runs' | 'pages';

export class RunMap<V> {
  private tree: BTree<number, V>;
  private totals: Map<V, number>;
  /** one value per page, for a map of at most DENSE_PAGES pages (then tree and totals are unused). */
  private dense: V[] | undefined;
  /** a pair the tree's lookups fill in, instead of allocating one each. */
  private readonly scratch = [0, undefined] as unknown as [number, V];

  /**
   * Every page of [0, length) holds `initial`. `form` overrides the choice by
   * length for a map that could take either (tests hold both to the same
   * answers); a map longer than DENSE_PAGES always keeps runs.
   */
  constructor(
    readonly length: number,
    initial: V,
    form: RunMapForm = length <= DENSE_PAGES ? 'pages' : 'runs',
  ) {
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`run map length ${length} is not a whole number of pages`);
    if (length > DENSE_PAGES) form = 'runs';
    // Keys are whole page numbers: a plain difference compares them (the default comparator also handles strings and dates).
    this.tree = form === 'pages' ? EMPTY_TREE : new BTree<number, V>(undefined, (a, b) => a - b);
    this.totals = form === 'pages' ? EMPTY_TOTALS : new Map();
    this.dense = form === 'pages' ? new Array<V>(length).fill(initial) : undefined;
    if (length > 0 && form === 'runs') {
      this.tree.set(0, initial);
      this.totals.set(initial, length);
    }
  }

  /** How many maximal runs the map holds. */
  get runCount(): number {
    const d = this.dense;
    if (!d) return this.tree.size;
    let n = d.length ? 1 : 0;
    for (let p = 1; p < d.length; p++) if (d[p] !== d[p - 1]) n++;
    return n;
  }

  /** The value at one page. */
  get(page: number): V {
    this.checkPage(page);
    if (this.dense) return this.dense[page]!;
    return this.tree.getPairOrNextLower(page, this.scratch)![1];
  }

  /** The whole run holding a page. */
  runAt(page: number): Run<V> {
    this.checkPage(page);
    const d = this.dense;
    if (d) {
      const value = d[page]!;
      let from = page;
      let to = page + 1;
      while (from > 0 && d[from - 1] === value) from--;
      while (to < d.length && d[to] === value) to++;
      return { from, to, value };
    }
    const [from, value] = this.tree.getPairOrNextLower(page)!;
    const next = this.tree.nextHigherPair(from);
    return { from, to: next ? next[0] : this.length, value };
  }

  /** Gives the pages [from, to) one value, splitting the runs at the ends and merging with equal neighbours. */
  set(from: number, to: number, value: V, onChange?: OnChange<V>): void {
    this.checkRange(from, to);
    if (from === to) return;
    if (this.dense) return this.denseUpdate(from, to, () => value, onChange);
    if (this.setWithinRun(from, to, value, onChange)) return;
    this.cut(to);
    this.cut(from);
    const olds = this.within(from, to);
    for (const [start, end, old] of olds) this.addTotal(old, start - end);
    this.tree.deleteRange(from, to, false);
    this.tree.set(from, value);
    this.addTotal(value, to - from);
    this.mergeAt(to);
    this.mergeAt(from);
    if (onChange) for (const [start, end, old] of olds) if (old !== value) onChange(start, end, old, value);
  }

  /**
   * Maps the value of every page of [from, to) through `fn`, once per run
   * (a range machine's memoised step, a pin count's increment): the runs
   * split at the ends, and merge where the new values meet equal neighbours.
   */
  update(from: number, to: number, fn: (value: V, run: Run<V>) => V, onChange?: OnChange<V>): void {
    this.checkRange(from, to);
    if (from === to) return;
    if (this.dense) return this.denseUpdate(from, to, fn, onChange);
    this.cut(to);
    this.cut(from);
    const changed: Array<[number, number, V, V]> = [];
    for (const [start, end, old] of this.within(from, to)) {
      const next = fn(old, { from: start, to: end, value: old });
      if (next !== old) changed.push([start, end, old, next]);
    }
    for (const [start, end, old, next] of changed) {
      this.tree.set(start, next);
      this.addTotal(old, start - end);
      this.addTotal(next, end - start);
    }
    // Merges can only be needed where a run changed or at the range's ends.
    this.mergeAt(to);
    for (let i = changed.length - 1; i >= 0; i--) {
      this.mergeAt(changed[i]![1]);
      this.mergeAt(changed[i]![0]);
    }
    this.mergeAt(from);
    if (onChange) for (const [start, end, old, next] of changed) onChange(start, end, old, next);
  }

  /** The runs over [from, to), clipped to it, in page order. */
  *runs(from = 0, to = this.length): IterableIterator<Run<V>> {
    this.checkRange(from, to);
    if (from === to) return;
    const d = this.dense;
    if (d) {
      for (let start = from; start < to; ) {
        const value = d[start]!;
        let end = start + 1;
        while (end < to && d[end] === value) end++;
        yield { from: start, to: end, value };
        start = end;
      }
      return;
    }
    const [first] = this.tree.getPairOrNextLower(from)!;
    const entries = this.tree.entries(first);
    let [start, value] = entries.next().value as [number, V];
    for (;;) {
      const next = entries.next();
      const end = next.done ? this.length : next.value[0];
      yield { from: Math.max(start, from), to: Math.min(end, to), value };
      if (next.done || end >= to) return;
      [start, value] = next.value;
    }
  }

  /** Pages holding `value` in [from, to): O(1) over the whole map, O(log runs + runs) over a part. */
  count(value: V, from = 0, to = this.length): number {
    const d = this.dense;
    if (d) {
      this.checkRange(from, to);
      let n = 0;
      for (let p = from; p < to; p++) if (d[p] === value) n++;
      return n;
    }
    if (from === 0 && to === this.length) return this.totals.get(value) ?? 0;
    let n = 0;
    for (const run of this.runs(from, to)) if (run.value === value) n += run.to - run.from;
    return n;
  }

  /** Pages per value in [from, to) (values with none left out). */
  counts(from = 0, to = this.length): Map<V, number> {
    if (from === 0 && to === this.length && !this.dense) return new Map([...this.totals].filter(([, n]) => n > 0));
    const out = new Map<V, number>();
    for (const run of this.runs(from, to)) out.set(run.value, (out.get(run.value) ?? 0) + run.to - run.from);
    return out;
  }

  /** Whether every page of [from, to) holds `value` (true for an empty range). */
  every(from: number, to: number, value: V): boolean {
    this.checkRange(from, to);
    if (from === to) return true;
    const d = this.dense;
    if (d) {
      for (let p = from; p < to; p++) if (d[p] !== value) return false;
      return true;
    }
    const run = this.runAt(from);
    return run.value === value && run.to >= to;
  }

  /** The first run (clipped to [from, to)) whose value passes the test, or undefined. */
  find(from: number, to: number, test: (value: V) => boolean): Run<V> | undefined {
    for (const run of this.runs(from, to)) if (test(run.value)) return run;
    return undefined;
  }

  /** The first page at or after `from` (and before `to`) holding `value`, or undefined. */
  nextWith(value: V, from = 0, to = this.length): number | undefined {
    return this.find(from, to, (v) => v === value)?.from;
  }

  /** The first page at or after `from` (and before `to`) not holding `value`, or undefined. */
  nextWithout(value: V, from = 0, to = this.length): number | undefined {
    return this.find(from, to, (v) => v !== value)?.from;
  }

  /** A copy that later changes to either side leave alone (copy-on-write: O(1) now, paid as nodes change). */
  clone(): RunMap<V> {
    const copy = Object.create(RunMap.prototype) as RunMap<V>;
    if (this.dense) Object.assign(copy, { length: this.length, tree: EMPTY_TREE, totals: EMPTY_TOTALS, dense: this.dense.slice(), scratch: [0, undefined] });
    else Object.assign(copy, { length: this.length, tree: this.tree.clone(), totals: new Map(this.totals), dense: undefined, scratch: [0, undefined] });
    return copy;
  }

  /** Whether two maps hold the same value at every page. */
  equals(other: RunMap<V>): boolean {
    if (other.length !== this.length || other.runCount !== this.runCount) return false;
    const a = this.runs();
    const b = other.runs();
    for (let x = a.next(), y = b.next(); !x.done; x = a.next(), y = b.next()) {
      if (y.done || x.value.from !== y.value.from || x.value.value !== y.value.value) return false;
    }
    return true;
  }

  /**
   * set() when [from, to) lies inside one run, the common case (one page of
   * a block converted): at most two keys added, no range walked. Returns
   * false when the range spans runs.
   */
  private setWithinRun(from: number, to: number, value: V, onChange: OnChange<V> | undefined): boolean {
    const [start, old] = this.tree.getPairOrNextLower(from, this.scratch)!;
    const next = this.tree.nextHigherPair(start, this.scratch);
    const end = next ? next[0] : this.length;
    if (end < to) return false;
    if (old === value) return true;
    this.addTotal(old, from - to);
    this.addTotal(value, to - from);
    this.tree.set(from, value);
    if (end > to) this.tree.set(to, old);
    else this.mergeAt(to);
    if (start === from) this.mergeAt(from);
    onChange?.(from, to, old, value);
    return true;
  }

  /**
   * set and update on the per-page form: `fn` once per run of [from, to)
   * (runs clipped to it, as the tree form cuts them), then each changed run
   * told to onChange in page order once every page holds its new value.
   */
  private denseUpdate(from: number, to: number, fn: (value: V, run: Run<V>) => V, onChange: OnChange<V> | undefined): void {
    const d = this.dense!;
    let changed: Array<[number, number, V, V]> | undefined;
    for (let start = from; start < to; ) {
      const old = d[start]!;
      let end = start + 1;
      while (end < to && d[end] === old) end++;
      const next = fn(old, { from: start, to: end, value: old });
      if (next !== old) {
        for (let p = start; p < end; p++) d[p] = next;
        if (onChange) (changed ??= []).push([start, end, old, next]);
      }
      start = end;
    }
    if (changed) for (const [start, end, old, next] of changed) onChange!(start, end, old, next);
  }

  /** Ends the run holding `page` just before it, so a run begins at `page` (no-op at the ends). */
  private cut(page: number): void {
    if (page === 0 || page === this.length || this.tree.has(page)) return;
    this.tree.set(page, this.tree.getPairOrNextLower(page)![1]);
  }

  /** Merges the run beginning at `page` into the one before it when their values are equal. */
  private mergeAt(page: number): void {
    if (page === 0 || page === this.length) return;
    const value = this.tree.get(page);
    if (value === undefined && !this.tree.has(page)) return;
    const before = this.tree.nextLowerPair(page)!;
    if (before[1] === value) this.tree.delete(page);
  }

  /** The runs starting in [from, to) as [start, end, value], where runs begin at both from and to (after cut). */
  private within(from: number, to: number): Array<[number, number, V]> {
    const out: Array<[number, number, V]> = [];
    this.tree.forRange(from, to, false, (start, value) => {
      if (out.length) out[out.length - 1]![1] = start;
      out.push([start, to, value]);
    });
    return out;
  }

  private addTotal(value: V, pages: number): void {
    this.totals.set(value, (this.totals.get(value) ?? 0) + pages);
  }

  private checkPage(page: number): void {
    if (!Number.isInteger(page) || page < 0 || page >= this.length) throw new RangeError(`page ${page} is outside [0, ${this.length})`);
  }

  private checkRange(from: number, to: number): void {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > this.length || from > to) {
      throw new RangeError(`range [${from}, ${to}) is not within [0, ${this.length})`);
    }
  }
}

/** The tree and totals a per-page map never uses (shared, never written). */
const EMPTY_TREE = new BTree<number, never>(undefined, (a, b) => a - b);
const EMPTY_TOTALS = new Map<never, number>();
