/**
 * The V8 heap setting the explorer and the walk run under: both make
 * simulators by the thousand and drop them microseconds later. Exploring
 * forks a simulator per step tried; with allocation-site
 * pretenuring on, V8 saw the long-lived states of the search (frontier,
 * seen set) survive and began allocating at the interpreter's sites straight
 * into the old generation, so the forks were collected by full mark-compacts.
 * Measured on one setting of the start scope (rfc-v2 sw-protected, 222,608
 * transitions, dist/, one thread): 6.4 s with 1.16 GB promoted to the old
 * generation, against 4.1 s and 138 MB with pretenuring off. `gmem walk`:
 * 4.9-5.0 s and 336-355 MB peak, against 4.5 s and 276-280 MB.
 *
 * V8 flags are per process, so this reaches the worker threads too; it
 * changes where objects are allocated, never what the program computes.
 */
import { setFlagsFromString } from 'node:v8';

let tuned = false;

export function tuneHeapForShortLivedSimulators(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString('--no-allocation-site-pretenuring');
}
