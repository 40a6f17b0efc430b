/**
 * Replays a use case or a one-block trace with live, inspected actors: the
 * block machine, a folio machine and one range machine per page, the latter
 * driven by the same plans the block runs through its regions. The simulator
 * runs alongside; each snapshot the inspector sends carries a summary of its
 * arena (never the bytes) through the inspector's `serialize` option.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { createActor } from 'xstate';
import { blockViewOf, createBlockMachine } from '../../../machines/block.machine';
import type { BlockOp } from '../../../machines/block.plan';
import { expandStep, factsOfView, isBookStep, isPageStep, planOp } from '../../../machines/block.plan';
import { folioMachine } from '../../../machines/folio.machine';
import { DEFAULT_POLICY } from '../../../machines/policy';
import { rangeMachine } from '../../../machines/range.machine';
import type { SimulatorReads } from '../../engine/session';
import { simulate } from '../../engine/session';
import type { WalkSetting } from '../../walk/block-walk';
import { simConfig, traceStepFor, WALK_PAGE } from '../../walk/block-walk';

export interface InspectSource {
  title: string;
  setting: WalkSetting;
  ops: BlockOp[];
}

export interface ArenaSummary {
  /** shareability per page: S shared, P private, lower case while unallocated. */
  strip: string;
  folio: string;
  wrapper: string;
  pool: { free: number; rsvd: number };
  pendingMerge: number;
  allocatedBytes: number;
  hostMapped: number[];
  guestMapping: string[];
  pins: number;
}

type Inspect = (event: InspectionEvent) => void;

export function arenaSummary(sim: SimulatorReads): ArenaSummary {
  const file = sim.file()!;
  const pages = [...Array(file.nPages).keys()];
  const block = file.block(0);
  return {
    strip: `|${pages.map((p) => (file.shareability(p) === 'shared' ? 'S' : 'P')[file.isAllocated(p) ? 'toUpperCase' : 'toLowerCase']()).join('')}|`,
    folio: block.folio.file,
    wrapper: block.folio.wrapper,
    pool: sim.pool(),
    pendingMerge: file.pendingMerge,
    allocatedBytes: file.allocatedBytes,
    hostMapped: pages.filter((p) => file.hostMapped(p)),
    guestMapping: pages.map((p) => file.guestMapping(p)),
    pins: file.pinsHeld,
  };
}

/**
 * The inspector's serialize hook: snapshots gain `context.arena`, the
 * summary of the simulator at that point; everything is also recorded.
 */
export function serializer(current: () => ArenaSummary | undefined, recordTo?: string) {
  if (recordTo) writeFileSync(recordTo, '');
  return <E extends { type: string; snapshot?: unknown }>(event: E): E => {
    let out = event;
    const snapshot = event.snapshot as { context?: Record<string, unknown> } | undefined;
    if ((event.type === '@xstate.snapshot' || event.type === '@xstate.actor') && snapshot && typeof snapshot === 'object') {
      out = { ...event, snapshot: { ...snapshot, context: { ...(snapshot.context ?? {}), arena: current() } } };
    }
    if (recordTo) appendFileSync(recordTo, `${JSON.stringify(out)}\n`);
    return out;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function replayInspected(
  source: InspectSource,
  inspect: Inspect,
  delayMs: number,
  onSummary: (s: ArenaSummary) => void,
  log: (line: string) => void,
  onStep: (step: number) => void = () => undefined,
  /** asked before each step: true ends the replay there (the process was asked to stop). */
  stop: () => boolean = () => false,
): Promise<void> {
  const { setting } = source;
  const policy = { ...DEFAULT_POLICY, ...setting.input.policy };
  const initial = setting.input.initial ?? 'shared';
  const block = createActor(createBlockMachine(setting.pages), { input: setting.input, inspect, systemId: 'block' });
  const folio = createActor(folioMachine, { input: { split: policy.split, restore: policy.restore, truncateWhilePinned: policy.truncateWhilePinned }, inspect, systemId: 'folio' });
  const ranges = [...Array(setting.pages).keys()].map((k) =>
    createActor(rangeMachine, { input: { initial, hugetlb: true, afterTruncate: policy.afterTruncate, truncateWhilePinned: policy.truncateWhilePinned }, inspect, systemId: `range-${k}` }),
  );
  let refused = false;
  const actors: AnyActorRef[] = [block, folio, ...ranges];
  for (const a of actors) (a as unknown as { on(t: string, f: () => void): void }).on('refused', () => (refused = true));
  const sim = simulate(simConfig(setting));
  sim.step({ op: 'create', size: WALK_PAGE * setting.pages, flags: ['mmap', 'hugetlb', ...(initial === 'shared' ? (['init-shared'] as const) : [])], expect: 'ok' });
  onSummary(arenaSummary(sim));
  for (const a of actors) a.start();
  await sleep(delayMs);

  for (const [k, op] of source.ops.entries()) {
    if (stop()) break;
    onStep(k + 1);
    const view = blockViewOf(block.getSnapshot() as never);
    const plan = planOp(factsOfView(view), op).flatMap((s) => expandStep(s, setting.pages));
    // The simulator first, so the summary the snapshots carry is the arena after this operation.
    const result = sim.step(traceStepFor(op, setting.pages, undefined));
    onSummary(arenaSummary(sim));
    block.send(op as never);
    refused = false;
    for (const step of plan) {
      if (isBookStep(step)) continue;
      if (isPageStep(step)) {
        const { page, ...event } = step;
        ranges[page]!.send(event as never);
      } else {
        folio.send(step as never);
      }
      if (refused) break;
    }
    const outcome = result.outcome?.kind === 'error' ? result.outcome.error : result.outcome?.kind === 'hang' ? `HANG: never returns (${result.outcome.reason})` : 'ok';
    log(`${JSON.stringify(op)} -> ${arenaSummary(sim).strip} ${outcome}`);
    await sleep(delayMs);
    // Nothing after an operation that never returns can run (INV-14).
    if (result.outcome?.kind === 'hang') break;
  }
  for (const a of actors) a.stop();
}
