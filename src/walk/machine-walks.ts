/**
 * Model-based tests of the range and folio machines on their own. Their
 * events are the region events the block plans are made of (PUNCH with its
 * facts, SPLIT, HANDOFF ...), so each path drives a fresh simulator at that
 * level, through GmemFile.runPlan, the entry the simulator's own operations
 * use. At every step the simulator must answer as the machine does and show
 * the arena the machine's state implies: a folio of the right order, the pool
 * and st_blocks accounting, pending merges; and every invariant must hold.
 * Paths: every transition (shortest path to each state, then each event) and
 * every simple path.
 */
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import { createTestModel } from 'xstate/graph';
import type { FolioEvent, FolioInput } from '../../machines/folio.machine';
import { folioMachine, FOLIO_FILE_STATES, FOLIO_WRAPPER_STATES } from '../../machines/folio.machine';
import { FOLIO_EVENT_VARIANTS, FOLIO_INPUTS, FOLIO_TREE_INPUTS } from '../../machines/folio.table';
import { effectsOf, formatRefusal, refusalsOf } from '../../machines/outcome';
import type { Refusal } from '../../machines/outcome';
import type { EventVariant } from '../../machines/outcome-table';
import { stateLabel } from '../../machines/outcome-table';
import { initialSnapshot, pureTransition } from '../../machines/pure-transition';
import type { Variant } from '../../machines/variant';
import { profileOf, VARIANTS } from '../../machines/variant';
import { DEFAULT_POLICY } from '../../machines/policy';
import type { RangeEvent, RangeInput } from '../../machines/range.machine';
import { rangeMachine, RANGE_STATES } from '../../machines/range.machine';
import { RANGE_EVENT_VARIANTS, RANGE_INPUTS } from '../../machines/range.table';
import { begin, finish } from '../engine/step';
import { create } from '../interpreter/ops/create';
import { Simulator } from '../interpreter/simulator';
import { defaultConfig } from '../interpreter/config';
import { refused } from '../interpreter/outcome';
import { STATE_OF_CODE } from '../interpreter/machine-steppers';
import { excusedInWalk } from '../../machines/expectations';
import type { Ledger } from './coverage';
import { allBranches, branchesTaken } from './coverage';
import { recordInvariants } from './invariant-coverage';
import { withoutPrefixPaths } from './prefix-free';

const PAGE = 16;

export interface MachinePath {
  machine: 'range' | 'folio';
  input: RangeInput | FolioInput;
  kind: 'transition' | 'simple';
  events: Array<EventVariant>;
  /** the tree whose simulator runs the path (default: the one the input implies). */
  variant?: Variant;
}

export interface MachinePathFailure {
  path: MachinePath;
  step: number;
  message: string;
  story: string[];
}

const asMachine = (m: unknown) => m as AnyStateMachine;
const labelOf = (variants: ReadonlyArray<EventVariant>) => {
  const byKey = new Map(variants.map((v) => [JSON.stringify(v.event), v.label]));
  return (event: object) => byKey.get(JSON.stringify(event)) ?? JSON.stringify(event);
};

/** Shortest path to each state then every event, and every simple path, of a machine under one input. */
function generate(machine: AnyStateMachine, input: unknown, variants: ReadonlyArray<EventVariant>, name: MachinePath['machine'], simpleVariants = variants): MachinePath[] {
  const events = variants.map((v) => v.event);
  const types = new Set(events.map((e) => e.type));
  const label = labelOf(variants);
  const model = createTestModel(memoMachineFor(machine), {
    events: events as never,
    filterEvents: ((_: unknown, e: { type: string }) => types.has(e.type)) as never,
    serializeState: ((s: { value: unknown }) => stateLabel(s.value as never)) as never,
  });
  const toVariants = (steps: ReadonlyArray<{ event: { type: string } }>) => steps.slice(1).map((s) => ({ label: label(s.event), event: s.event }));
  const out: MachinePath[] = [];
  // allowDuplicatePaths: keep the path to a state even when it is a prefix of another, or states go unwalked.
  for (const p of model.getShortestPaths({ input, allowDuplicatePaths: true } as never)) {
    for (const v of variants) out.push({ machine: name, input: input as never, kind: 'transition', events: [...toVariants(p.steps), v] });
  }
  const simpleTypes = new Set(simpleVariants.map((v) => v.label));
  const simple = simpleVariants === variants ? model : createTestModel(memoMachineFor(machine), {
    events: simpleVariants.map((v) => v.event) as never,
    filterEvents: ((_: unknown, e: { type: string }) => simpleTypes.has(label(e))) as never,
    serializeState: ((s: { value: unknown }) => stateLabel(s.value as never)) as never,
  });
  // Simple paths that are prefixes of others dropped, as getSimplePaths does by default, in linear time.
  for (const p of withoutPrefixPaths(simple.getSimplePaths({ input, allowDuplicatePaths: true } as never))) out.push({ machine: name, input: input as never, kind: 'simple', events: toVariants(p.steps) });
  return out;
}

/**
 * Every range input; a 4K file runs on each in-place tree (machines/variant.ts,
 * those without HugeTLB): under the kernel's policies for every one, under
 * the other policies for the first. The walk's file is created with `mmap`,
 * since host faults and pins drive the machine; a tree that knows no `mmap`
 * (mainline-6.12, whose host accesses are ENODEV before any machine is
 * asked, and whose shared guest accesses never reach the file) runs the
 * in-place trees' plans, and is held to them by its traces instead.
 */
export function rangePaths(): MachinePath[] {
  const fourK = VARIANTS.filter((v) => !profileOf(v).hugetlb && profileOf(v).createFlags.includes('mmap'));
  return RANGE_INPUTS.flatMap((input) => {
    const paths = generate(asMachine(rangeMachine), input, RANGE_EVENT_VARIANTS, 'range');
    if (input.hugetlb !== false) return paths;
    const kernel = input.afterTruncate === DEFAULT_POLICY.afterTruncate && input.truncateWhilePinned === DEFAULT_POLICY.truncateWhilePinned;
    return (kernel ? fourK : fourK.slice(0, 1)).flatMap((variant) => paths.map((p) => ({ ...p, variant })));
  });
}

/** HANDOFF is raised by the file region itself; the walk never sends it. */
const FOLIO_WALK_EVENTS = FOLIO_EVENT_VARIANTS.filter((v) => v.event.type !== 'HANDOFF');

/**
 * Every policy combination under the first tree's folio answers, and the
 * kernel's policies under each other tree's: policies and trees touch
 * different transitions, and the table test holds every combination.
 */
const FOLIO_WALK_INPUTS = FOLIO_INPUTS.filter(
  (i) =>
    (i.evict === FOLIO_TREE_INPUTS[0]!.evict && i.allocSplitFailure === FOLIO_TREE_INPUTS[0]!.allocSplitFailure) ||
    (i.split === DEFAULT_POLICY.split && i.restore === DEFAULT_POLICY.restore && i.truncateWhilePinned === DEFAULT_POLICY.truncateWhilePinned),
);

/**
 * Simple paths grow with every parallel edge; the events of the trees'
 * defects and the eviction variants (splitFails, gup, filePinned, rollbackWraps,
 * unconditional) are walked
 * by the transition cover only.
 */
const FOLIO_SIMPLE_EVENTS = FOLIO_WALK_EVENTS.filter((v) => !/splitFails|gup|filePinned|rollbackWraps|unconditional/.test(v.label));

export function folioPaths(): MachinePath[] {
  return FOLIO_WALK_INPUTS.flatMap((input) => generate(asMachine(folioMachine), input, FOLIO_WALK_EVENTS, 'folio', FOLIO_SIMPLE_EVENTS));
}

/** The coverage a machine walk should reach: states, (state, event) pairs, guard branches. */
export function expectMachineCoverage(ledger: Ledger): void {
  ledger.expect('range: states', RANGE_STATES);
  ledger.expect('range: (state, event) pairs', RANGE_STATES.flatMap((s) => RANGE_EVENT_VARIANTS.map((v) => `${s} | ${v.label}`)));
  ledger.expect('range: guard branches', allBranches(asMachine(rangeMachine)));
  ledger.expect('folio: states', [...FOLIO_FILE_STATES.map((s) => `file.${s}`), ...FOLIO_WRAPPER_STATES.map((s) => `wrapper.${s}`)]);
  ledger.expect(
    'folio: (state, event) pairs',
    FOLIO_FILE_STATES.flatMap((f) => FOLIO_WRAPPER_STATES.flatMap((w) => FOLIO_WALK_EVENTS.map((v) => `${f}+${w} | ${v.label}`))),
  );
  ledger.expect('folio: guard branches', allBranches(asMachine(folioMachine)));
}

function simulatorFor(path: MachinePath): Simulator {
  const hugetlb = path.machine === 'folio' || (path.input as RangeInput).hugetlb !== false;
  const range = path.input as RangeInput;
  const folio = path.input as FolioInput;
  // The tree whose profile gives the folio machine's input (machines/variant.ts); 4K files walk the in-place tree.
  const variant = path.variant ?? (hugetlb
    ? VARIANTS.find((v) => profileOf(v).hugetlb && profileOf(v).evict === (folio.evict ?? 'wrapper-always') && profileOf(v).allocSplitFailure === (folio.allocSplitFailure ?? 'return-block'))!
    : VARIANTS.find((v) => !profileOf(v).hugetlb && profileOf(v).createFlags.includes('mmap'))!);
  const sim = new Simulator(
    defaultConfig({
      variant,
      pageSize: PAGE,
      hugePageSize: hugetlb ? 2 * PAGE : PAGE,
      // Room for a new folio each time one leaves for the wrapper.
      poolHugePages: 8,
      policy: {
        ...DEFAULT_POLICY,
        ...(path.machine === 'range' ? { afterTruncate: range.afterTruncate, truncateWhilePinned: range.truncateWhilePinned } : { split: folio.split, restore: folio.restore, truncateWhilePinned: folio.truncateWhilePinned }),
      },
    }),
  );
  const initShared = path.machine === 'range' ? range.initial !== 'private' : false;
  const outcome = create(sim, 2 * PAGE, ['mmap', ...(hugetlb ? (['hugetlb'] as const) : []), ...(initShared ? (['init-shared'] as const) : [])]);
  if (outcome.kind !== 'ok') throw new Error(`walk file could not be created: ${JSON.stringify(outcome)}`);
  return sim;
}

export function runMachinePath(path: MachinePath, ledger?: Ledger): MachinePathFailure | undefined {
  const machine = asMachine(path.machine === 'range' ? rangeMachine : folioMachine);
  const sim = simulatorFor(path);
  const file = sim.file!;
  const allowed = excusedInWalk(sim.config, false);
  let snapshot: AnyMachineSnapshot = initialSnapshot(machine, path.input);
  const story = [`start ${stateLabel(snapshot.value)}`];
  if (ledger && path.machine === 'range') {
    // The created state's eventless branch ran at start: the file's initial shareability picked it.
    ledger.cover('range: guard branches', `range.created on always #${(path.input as RangeInput).initial === 'private' ? 0 : 1}`);
  }
  for (const [i, { label, event }] of path.events.entries()) {
    const before = snapshot;
    const answer = stepMachine(machine, snapshot, label, event);
    snapshot = answer.next;
    const refusal = answer.refusal;
    const begun = begin(sim);
    const got = path.machine === 'range' ? file.runPlan(0, [{ ...(event as RangeEvent), page: 0 }]) : file.runPlan(0, [event as FolioEvent]);
    const state = stateLabel(snapshot.value);
    story.push(`${label.padEnd(30)} ${state}${refusal ? `  (${formatRefusal(refusal)})` : ''}`);
    if (ledger) {
      const where = stateLabel(before.value);
      ledger.cover(`${path.machine}: (state, event) pairs`, `${where} | ${label}`);
      for (const b of answer.branches) ledger.cover(`${path.machine}: guard branches`, b);
      for (const b of answer.handoffBranches) ledger.cover('folio: guard branches', b);
      if (path.machine === 'range') ledger.cover('range: states', state);
      else state.split('+').forEach((s, r) => ledger.cover('folio: states', `${r === 0 ? 'file' : 'wrapper'}.${s}`));
    }
    const fail = (message: string): MachinePathFailure => ({ path, step: i, message, story });
    if ((got ? formatRefusal(got) : 'ok') !== (refusal ? formatRefusal(refusal) : 'ok')) {
      return fail(`${label}: the machine says ${refusal ? formatRefusal(refusal) : 'ok'}, the simulator ${got ? formatRefusal(got) : 'ok'}`);
    }
    const mismatch = path.machine === 'range' ? rangeMismatch(sim, state) : folioMismatch(sim, snapshot);
    if (mismatch) return fail(`after ${label}: ${mismatch}`);
    const target = event.type === 'CONVERT_TO_SHARED' ? 'shared' : event.type === 'CONVERT_TO_PRIVATE' ? 'private' : undefined;
    const violations = finish(sim, begun, { op: label, ok: !got, ...(target ? { convert: { from: 0, to: 1, target } } : {}) });
    if (ledger) recordInvariants(ledger, sim, label, got ? refused(got) : { kind: 'ok' });
    const broken = violations.find((v) => !allowed(v));
    if (broken) return fail(`after ${label}: ${broken.invariant} violated at ${broken.where}: ${broken.detail}`);
  }
  return undefined;
}

interface MachineAnswer {
  next: AnyMachineSnapshot;
  refusal: Refusal | undefined;
  /** the guard branches the transition took, and the wrapper's HANDOFF branches inside it, for coverage (computed when first asked). */
  readonly branches: string[];
  readonly handoffBranches: string[];
}

/**
 * The machine's answer, memoised per (snapshot, event): every path starts
 * from the same initial snapshot and each answer's next snapshot is shared,
 * so paths with a common prefix step the machine once for it.
 */
const answers = new WeakMap<AnyMachineSnapshot, Map<string, MachineAnswer>>();
function stepMachine(machine: AnyStateMachine, snapshot: AnyMachineSnapshot, label: string, event: object): MachineAnswer {
  let byEvent = answers.get(snapshot);
  if (!byEvent) answers.set(snapshot, (byEvent = new Map()));
  let answer = byEvent.get(label);
  if (!answer) {
    const [next, actions] = pureTransition(machine, snapshot, event);
    let branches: string[] | undefined;
    let handoff: string[] | undefined;
    answer = {
      next,
      refusal: refusalsOf(actions)[0],
      get branches() {
        return (branches ??= branchesTaken(machine, snapshot, event as { type: string }));
      },
      get handoffBranches() {
        return (handoff ??= handoffBranches(machine, snapshot, next, effectsOf(actions), event));
      },
    };
    byEvent.set(label, answer);
  }
  return answer;
}

/** Each event variant's label, by object: the paths carry the variants' own event objects. */
const variantLabels = new WeakMap<object, string>([...RANGE_EVENT_VARIANTS, ...FOLIO_EVENT_VARIANTS].map((v) => [v.event, v.label]));

/**
 * The machine as xstate/graph's traversals see it: its transition() answers
 * from the walk's memo and its initial snapshots are the cached ones, so the
 * shortest and simple paths and the walk compute each (state, event) once.
 */
const memoMachines = new WeakMap<AnyStateMachine, AnyStateMachine>();
function memoMachineFor(machine: AnyStateMachine): AnyStateMachine {
  let memo = memoMachines.get(machine);
  if (!memo) {
    memo = Object.create(machine, {
      // xstate/graph destructures transition from the logic: it must not need `this`.
      transition: {
        value: (snapshot: AnyMachineSnapshot, event: object) => stepMachine(machine, snapshot, variantLabels.get(event) ?? `#${JSON.stringify(event)}`, event).next,
      },
      getInitialSnapshot: { value: (_scope: unknown, input: unknown) => initialSnapshot(machine, input) },
    }) as AnyStateMachine;
    memoMachines.set(machine, memo);
  }
  return memo;
}

/**
 * The wrapper's HANDOFF branch runs inside the same macrostep as the file's
 * handoff, which names itself with the handToWrapper effect: it is taken from
 * the wrapper's state before, with the file already let go.
 */
function handoffBranches(machine: AnyStateMachine, before: AnyMachineSnapshot, next: AnyMachineSnapshot, effects: ReadonlyArray<string>, cause: object): string[] {
  if (!effects.includes('handToWrapper')) return [];
  const file = (next.value as { file: string }).file;
  const wrapper = (before.value as { wrapper: string }).wrapper;
  const mid = machine.resolveState({ value: { file, wrapper }, context: before.context });
  const branches = branchesTaken(machine, mid, { type: 'HANDOFF' });
  // An unpinned block's last folio_put is relayed in the same macrostep, from the wrapper it just entered.
  const pinned = 'pinned' in cause && (cause as { pinned: boolean }).pinned;
  if (!pinned && wrapper !== 'counting') {
    const counting = machine.resolveState({ value: { file, wrapper: 'counting' }, context: before.context });
    branches.push(...branchesTaken(machine, counting, { type: 'SUBFOLIO_FREED', last: true } as { type: string }));
  }
  return branches;
}

/** Page 0's state in the simulator is the machine's, and so is what it holds. */
function rangeMismatch(sim: Simulator, state: string): string | undefined {
  const file = sim.file!;
  const actual = STATE_OF_CODE[file.code(0)]!;
  if (actual !== state) return `page 0 is ${actual}, the machine says ${state}`;
  if (!file.geometry.hugetlb) {
    const holds = file.blocks[0]!.meta !== undefined;
    if (holds !== state.endsWith('.allocated')) return `the file ${holds ? 'holds' : 'does not hold'} a 4K folio for page 0 in ${state}`;
  }
  return undefined;
}

/** The block's folio in the arena is what the folio machine's state says. */
function folioMismatch(sim: Simulator, snapshot: AnyMachineSnapshot): string | undefined {
  const file = sim.file!;
  const block = file.blocks[0]!;
  const { file: f, wrapper: w } = snapshot.value as { file: string; wrapper: string };
  const held = f === 'huge' || f === 'split' || f === 'heldByInode';
  if ((block.meta !== undefined) !== held) return `the file ${block.meta ? 'holds' : 'does not hold'} a folio in ${f}`;
  if (block.meta && block.meta.order !== (f === 'huge' ? 1 : 0)) return `the folio has order ${block.meta.order} in ${f}`;
  if (file.allocatedBytes !== (held ? 2 * PAGE : 0)) return `st_blocks says ${file.allocatedBytes} bytes in ${f}`;
  if ((w === 'empty') !== (file.pendingMerge === 0)) return `pendingMerge is ${file.pendingMerge} with the wrapper ${w}`;
  const inUse = (held ? 1 : 0) + file.pendingMerge;
  if (sim.pool.free !== sim.pool.hugePages - inUse) return `HugePages_Free is ${sim.pool.free} with ${inUse} huge page(s) in use`;
  return undefined;
}
