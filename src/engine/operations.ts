/**
 * The operation table: each trace op (TRACE-FORMAT "Operations") and the
 * simulator operation it runs, one row each. A new operation is its
 * interpreter function plus one row here, and every consumer of the engine
 * (replay, walks, explorer, viewer, inspector, selftest probes) takes it.
 */
import { fallocate, punchHole, settle } from '../interpreter/allocation';
import { convert } from '../interpreter/convert';
import { inject } from '../interpreter/inject';
import { pin, unpin } from '../interpreter/pins';
import type { Simulator } from '../interpreter/simulator';
import type { Payload, StepOutcome } from '../interpreter/outcome';
import { fail } from '../interpreter/outcome';
import type { TraceStep } from '../trace/schema';

export type OperationStep = Exclude<TraceStep, { op: 'check' }>;
export type OperationName = OperationStep['op'];
type Row<K extends OperationName> = (sim: Simulator, step: Extract<OperationStep, { op: K }>) => StepOutcome;

/** A write's bytes: the trace's `data` (hex), or `fill` repeated `length` times. */
function payloadOf(step: { data?: string; fill?: string; length?: number }): { payload: Payload; length: number } {
  if (step.data !== undefined) {
    const data = Buffer.from(step.data, 'hex');
    return { payload: { data }, length: data.length };
  }
  return { payload: { fill: parseInt(step.fill!, 16), length: step.length! }, length: step.length! };
}

export const OPERATIONS: { readonly [K in OperationName]: Row<K> } = {
  // One file per trace: validation forbids a second create after an ok one; the simulator refuses it all the same.
  create: (sim, s) => (sim.file ? fail('EINVAL') : sim.create(s.size, s.flags)),
  hostRead: (sim, s) => sim.hostAccess(s.offset, s.length, s.process ?? 0),
  hostWrite: (sim, s) => {
    const { payload, length } = payloadOf(s);
    return sim.hostAccess(s.offset, length, s.process ?? 0, payload);
  },
  guestRead: (sim, s) => sim.guestAccess(s.offset, s.length, s.access),
  guestWrite: (sim, s) => {
    const { payload, length } = payloadOf(s);
    return sim.guestAccess(s.offset, length, s.access, payload);
  },
  convert: (sim, s) => convert(sim, s.offset, s.length, s.to),
  fallocate: (sim, s) => fallocate(sim, s.offset, s.length, s.mode ?? ['keep-size']),
  punchHole: (sim, s) => punchHole(sim, s.offset, s.length, s.mode ?? ['punch-hole', 'keep-size']),
  pin: (sim, s) => pin(sim, s.offset, s.process ?? 0),
  unpin: (sim, s) => unpin(sim, s.offset),
  munmap: (sim, s) => sim.munmap(s.offset, s.length, s.process ?? 0),
  closeFd: (sim) => sim.closeFd(),
  unbind: (sim) => sim.unbind(),
  close: (sim) => sim.close(),
  settle: (sim) => settle(sim),
  inject: (sim) => inject(sim),
};

/** Runs one operation step on the simulator through its row. */
export function execute(sim: Simulator, step: OperationStep): StepOutcome {
  return (OPERATIONS[step.op] as Row<OperationName>)(sim, step as never);
}
