/**
 * What one step changed, told by the structures as they change: the
 * incremental invariant checks (src/invariants) look only there, and empty
 * it once they have looked. It describes a step, not the file, so no
 * snapshot carries it: a copy of a file starts with nothing changed.
 */
import { IS_SHARED_CODE } from './machine-steppers';

/** An INV-9 break seen during the step: a page exposed holding bytes, or zeroing that clears an exposed page. */
export interface ContentBreak {
  page: number;
  detail: string;
  defect?: string;
}

export class StepChanges {
  /** page ranges [from, to) where a range-machine state, a host mapping or a 4 KiB guest mapping changed. */
  ranges: number[] = [];
  /** blocks an operation ran on, or whose record (folio, metadata, pins, huge guest mapping) changed. */
  blocks = new Set<number>();
  /** pages whose shareability changed: count and span (INV-6). */
  shareability = { count: 0, first: Infinity, last: -Infinity };
  /** something changed everywhere at once (a process's mapping dropped, eviction): check the whole file. */
  all = false;

  /** Told of every change of a host or guest mapping (the page sets' listener). */
  readonly onMappingChange = (from: number, to: number): void => {
    this.ranges.push(from, to);
  };

  /** A run of pages went from range-machine state `before` to `next` (as codes). */
  pagesChanged(from: number, to: number, before: number, next: number): void {
    this.ranges.push(from, to);
    if (IS_SHARED_CODE[before] !== IS_SHARED_CODE[next]) {
      const c = this.shareability;
      c.count += to - from;
      if (from < c.first) c.first = from;
      if (to - 1 > c.last) c.last = to - 1;
    }
  }
}
