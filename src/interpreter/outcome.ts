/**
 * What one operation returns to the caller (the trace's `expect`): ok with
 * the bytes read, an errno (with a memory-fault exit or an error offset where
 * the kernel gives one), no file yet, or an operation that never returns.
 */
import type { Errno, Refusal } from '../../machines/outcome';
import { NEVER_RETURNS } from '../../machines/outcome';

export interface MemoryFault {
  /** the gpa as a file offset: the first page that faulted. */
  offset: number;
  size: number;
  private: boolean;
}

export type StepOutcome =
  | { kind: 'ok'; data?: Uint8Array }
  | { kind: 'error'; error: Errno; exit?: 'memory-fault'; errorOffset?: number; memoryFault?: MemoryFault }
  /** the operation needs a file and no create has succeeded. */
  | { kind: 'nofile' }
  /**
   * the operation never returns (INV-14; TRACE-FORMAT `"HANG"`): an endless
   * loop or spin in the kernel, holding its locks (K10). Nothing after it is
   * observable: replay ends there, the explorer makes no successor.
   */
  | { kind: 'hang'; reason: string };

/** What a write puts in memory: the bytes, or one byte value repeated. */
export type Payload = { data: Buffer } | { fill: number; length: number };

type ErrorDetail = { exit?: 'memory-fault'; errorOffset?: number; memoryFault?: MemoryFault };

export const OK: StepOutcome = { kind: 'ok' };

export const fail = (error: Errno, extra: ErrorDetail = {}): StepOutcome => ({ kind: 'error', error, ...extra });

/** An operation that never returns, and why (the loop or spin the kernel is stuck in). */
export const hang = (reason: string): StepOutcome => ({ kind: 'hang', reason });

/** What a machine's refusal means for the operation: an error, or (NEVER_RETURNS) an operation that never returns. */
export const refused = (refusal: Refusal, extra: ErrorDetail = {}): StepOutcome =>
  refusal.errno === NEVER_RETURNS ? hang('the machines answer that the kernel loops for ever here (INV-14)') : fail(refusal.errno, extra);
