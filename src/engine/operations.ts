/**
 * The operation table: each trace op (TRACE-FORMAT "Operations") and the
 * simulator operation it runs, one row each.
 *
 * A new operation is one file in src/interpreter/ops/ and one row here:
 * every consumer of the engine (replay, walks, explorer, viewer, inspector,
 * selftest probes) takes it.
 */
import { close } from '../interpreter/ops/close';
import { closeFd } from '../interpreter/ops/close-fd';
import { convert } from '../interpreter/ops/convert';
import { create } from '../interpreter/ops/create';
import { fallocate } from '../interpreter/ops/fallocate';
import { guestAccess } from '../interpreter/ops/guest-access';
import { hostAccess } from '../interpreter/ops/host-access';
import { inject } from '../interpreter/ops/inject';
import { munmap } from '../interpreter/ops/munmap';
import { pin } from '../interpreter/ops/pin';
import { punchHole } from '../interpreter/ops/punch-hole';
import { settle } from '../interpreter/ops/settle';
import { unbind } from '../interpreter/ops/unbind';
import { unpin } from '../interpreter/ops/unpin';
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
  create: (sim, s) => (sim.file ? fail('EINVAL') : create(sim, s.size, s.flags)),
  hostRead: (sim, s) => hostAccess(sim, s.offset, s.length, s.process ?? 0),
  hostWrite: (sim, s) => {
    const { payload, length } = payloadOf(s);
    return hostAccess(sim, s.offset, length, s.process ?? 0, payload);
  },
  guestRead: (sim, s) => guestAccess(sim, s.offset, s.length, s.access),
  guestWrite: (sim, s) => {
    const { payload, length } = payloadOf(s);
    return guestAccess(sim, s.offset, length, s.access, payload);
  },
  convert: (sim, s) => convert(sim, s.offset, s.length, s.to),
  fallocate: (sim, s) => fallocate(sim, s.offset, s.length, s.mode ?? ['keep-size']),
  punchHole: (sim, s) => punchHole(sim, s.offset, s.length, s.mode ?? ['punch-hole', 'keep-size']),
  pin: (sim, s) => pin(sim, s.offset, s.process ?? 0),
  unpin: (sim, s) => unpin(sim, s.offset),
  munmap: (sim, s) => munmap(sim, s.offset, s.length, s.process ?? 0),
  closeFd: (sim) => closeFd(sim),
  unbind: (sim) => unbind(sim),
  close: (sim) => close(sim),
  settle: (sim) => settle(sim),
  inject: (sim) => inject(sim),
};

/** Runs one operation step on the simulator through its row. */
export function execute(sim: Simulator, step: OperationStep): StepOutcome {
  return (OPERATIONS[step.op] as Row<OperationName>)(sim, step as never);
}
