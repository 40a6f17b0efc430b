/**
 * The gmem-trace/1 contract as the selftest generator reads it: the project's
 * own schema and loader (src/trace/schema.ts, src/trace/replay.ts), so a trace
 * the generator accepts is exactly a trace `gmem replay` accepts, with the same
 * one-line INVALID FILE message for one it does not (generate.ts loads with
 * loadTrace). This file only names the shapes the emitter switches on.
 */
import type { TraceStep } from '../trace/schema';

export type { CheckExpectation, Expectation, Trace } from '../trace/schema';
export type { Variant, VmType } from '../../machines/policy';
export type Step = TraceStep;
export type Mode = NonNullable<Extract<Step, { op: 'fallocate' }>['mode']>[number];
