/**
 * The reachable configurations of a block machine, found with xstate/graph's
 * shortest-path traversal over every operation variant. Pins are bounded to
 * one per page so the space is finite (a second pin behaves like the first).
 */
import { getShortestPaths } from 'xstate/graph';
import type { BlockInput } from './block.machine';
import { createBlockMachine } from './block.machine';
import type { BlockOp } from './block.plan';
import { blockOpVariants } from './block.plan';
import { stateLabel } from './outcome-table';

export function blockStateKey(snapshot: { value: unknown; context: { pins: number[]; retiredPins: number[]; available: number; splitArmed: boolean } }): string {
  const { pins, retiredPins, available, splitArmed } = snapshot.context;
  return `${stateLabel(snapshot.value as never)} pins=${pins.join('')} retired=${retiredPins.join('')} available=${available}${splitArmed ? ' armed' : ''}`;
}

/** The walks' bound: a page is pinned at most once (a second pin behaves like the first). */
export function pinAllowed(context: { pins: number[]; retiredPins: number[] }, op: BlockOp): boolean {
  return op.type !== 'pin' || context.pins[op.page]! + context.retiredPins[op.page]! === 0;
}

/** `machine`: the block machine of n pages, or a memoising stand-in for it (the walk's). */
export function reachableBlockPaths(n: number, input: BlockInput, machine = createBlockMachine(n)) {
  const ops = blockOpVariants(n);
  return getShortestPaths(machine, {
    input,
    events: (snapshot) => ops.filter((op) => pinAllowed(snapshot.context, op)) as never,
    serializeState: (snapshot) => blockStateKey(snapshot as never),
  });
}
