/**
 * The file pages a trace step's byte range addresses: what the viewer marks
 * and the failure report draws for a step. One rule for both, so a step's
 * pages are the same wherever they are shown.
 */
import type { TraceStep } from '../trace/schema';

/**
 * Pages [from, to) of the step's byte range: `offset` and `length`, the
 * length of `data` when it has none, else one byte; a zero length still
 * addresses the page at the offset. The end is clamped to the file's
 * `nPages`; the start is not, so a range past the end has from >= to.
 * Undefined for a step without an offset (create, close, settle ...):
 * which pages such a step reaches is the caller's to say.
 */
export function stepPages(step: TraceStep, pageSize: number, nPages: number): { from: number; to: number } | undefined {
  const s = step as { offset?: number; length?: number; data?: string };
  if (typeof s.offset !== 'number') return undefined;
  const length = s.length ?? (s.data ? s.data.length / 2 : 1);
  return { from: Math.floor(s.offset / pageSize), to: Math.min(nPages, Math.ceil((s.offset + Math.max(1, length)) / pageSize)) };
}
