/**
 * The block machine is a composition, not a second spec: for every reachable
 * configuration of a 2-page block and every operation, its answer must equal
 * running the same plan through the standalone range and folio machines.
 * Every (state, op) pair must also have an outcome (no silent ignore).
 */
import { blockViewOf, createBlockMachine } from '../machines/block.machine';
import type { AnyStateMachine } from 'xstate';
import { pureTransition } from '../machines/pure-transition';
import { blockOpVariants, opLabel } from '../machines/block.plan';
import { reachableBlockPaths } from '../machines/block.reachable';
import { formatRefusal, refusalsOf } from '../machines/outcome';
import { hugeBlockInputs, runOp } from '../machines/plan-runner';
import type { Variant } from '../machines/variant';
import { AFTER_TRUNCATE, combinations, RESTORE, SHAREABILITY, SPLIT, TRUNCATE_WHILE_PINNED } from '../machines/policy';

const N = 2;
const canonical = (o: Record<string, unknown>) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
const machine = createBlockMachine(N);
const ops = blockOpVariants(N);
const inputs: Array<{ variant: Variant } & ReturnType<typeof combine>[number]> = [
  // Every policy under rfc-v2; the kernel's policies under each other HugeTLB tree (their profiles change plans and the folio machine).
  ...combine().map((i) => ({ variant: 'rfc-v2' as Variant, ...i })),
  ...(['wip-2025-12', 'tdx-huge-v3'] as const).flatMap((variant) =>
    combine().filter((i) => i.split === 'eager' && i.afterTruncate === 'keep' && i.restore === 'allocator-wrapper' && i.truncateWhilePinned === 'eagain').map((i) => ({ variant, ...i })),
  ),
];
function combine() {
  return combinations({ split: SPLIT, afterTruncate: AFTER_TRUNCATE, restore: RESTORE, truncateWhilePinned: TRUNCATE_WHILE_PINNED, initial: SHAREABILITY });
}

describe('block machine = plan run through the range and folio machines', () => {
  for (const { variant, initial, ...policy } of inputs) {
    const name = `${variant} initial=${initial} ${Object.values(policy).join(' ')}`;
    it(`agrees on every reachable state x op (${name})`, () => {
      const paths = reachableBlockPaths(N, { variant, initial, policy });
      const mismatches: string[] = [];
      let pairs = 0;
      for (const { state } of paths) {
        const view = blockViewOf(state as never);
        for (const op of ops) {
          pairs++;
          if (machine.getTransitionData(state as never, op as never).length === 0) {
            mismatches.push(`${opLabel(op)} unhandled`);
            continue;
          }
          // xstate's transition() with one reused scope (machines/pure-transition.ts, held to transition() by its own test): 3x faster.
          const [next, actions] = pureTransition(machine as unknown as AnyStateMachine, state as never, op);
          const got = { refusal: refusalsOf(actions).map(formatRefusal).join(','), ...blockViewOf(next as never) };
          const ref = runOp(view, view.open, op, hugeBlockInputs(variant, initial, policy));
          const want = { refusal: ref.refusal ? formatRefusal(ref.refusal) : '', ...ref.view, open: ref.open };
          if (canonical(got) !== canonical(want)) {
            mismatches.push(`${JSON.stringify(view)} ${opLabel(op)}:\n  block  ${JSON.stringify(got)}\n  plan   ${JSON.stringify(want)}`);
          }
        }
      }
      expect(pairs).toBeGreaterThan(0);
      expect(mismatches.slice(0, 5)).toEqual([]);
    });
  }
});
