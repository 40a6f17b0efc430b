/**
 * Successors of one state: every step in scope, run on a copy of the state
 * (the state made from its encoding once, then Simulator.clone per step,
 * except that a copy whose step left it as the parent, in the same names,
 * is the next step's copy) through the trace step runner (takeStep: the
 * op, then every invariant on the transition), each child encoded
 * canonically. Used inline and by the worker threads alike.
 */
import type { FaultName, SimConfig } from '../interpreter/config';
import { defaultConfig } from '../interpreter/config';
import type { Policy, Variant, VmType } from '../../machines/policy';
import { takeStep } from '../engine/step';
import { startChecksFrom } from '../invariants/invariants';
import type { Scope, Step } from './operations';
import { creates, geometryOf, operations } from './operations';
import type { CodecSetup } from './state-codec';
import { encode, encodeReduced, hasFile, materialize, pinsHeld } from './state-codec';
import type { SymmetryGroup } from './symmetry';
import { packRelabel, symmetryGroup } from './symmetry';
import { tuneHeapForShortLivedSimulators } from '../heap-tuning';
import type { Simulator } from '../interpreter/simulator';

export interface Setting {
  variant: Variant;
  vmType: VmType;
  policy: Policy;
  /** seeded bugs (tests only; FAULTS in src/interpreter/config.ts). */
  faults?: FaultName[];
}

export interface Model {
  setting: Setting;
  scope: Scope;
  setup: CodecSetup;
  /** creates first, then every other step: a transition is named by its index here. */
  steps: Step[];
  firstOp: number;
  /** the renamings states are reduced by (scope.symmetry, and no seeded fault: one may single out process 0). */
  group?: SymmetryGroup;
}

export function simConfig(setting: Setting, scope: Scope): SimConfig {
  const g = geometryOf(scope, setting.vmType);
  return {
    ...defaultConfig({ variant: setting.variant, vmType: setting.vmType, pageSize: g.pageSize, hugePageSize: g.pageSize * scope.pages, policy: setting.policy }),
    poolHugePages: scope.pool ?? scope.blocks,
    ...(setting.faults?.length ? { faults: setting.faults } : {}),
  };
}

export function buildModel(setting: Setting, scope: Scope): Model {
  tuneHeapForShortLivedSimulators();
  const g = geometryOf(scope, setting.vmType);
  const made = creates(g);
  const group = scope.symmetry && !setting.faults?.length ? symmetryGroup(scope.processes, scope.values) : undefined;
  return {
    setting,
    scope,
    setup: { config: simConfig(setting, scope), size: g.size, processes: scope.processes },
    steps: [...made, ...operations(g)],
    firstOp: made.length,
    ...(group ? { group } : {}),
  };
}

export interface Expansion {
  /** steps run (transitions). */
  transitions: number;
  /**
   * distinct children, each with the first step that reaches it (a step that
   * never returns has none: a terminal state); with symmetry, the relabelling
   * (packed) from the state the step made to the canonical one.
   */
  children: Array<[step: number, encoding: string, relabel?: number]>;
  /** steps whose transition broke invariants, as finding keys (`INV-9` or `INV-9/K3`: search.ts findingKey). */
  violations: Array<[step: number, keys: string[]]>;
  /** steps on which the simulator threw (an internal error is a finding too). */
  crashes: Array<[step: number, message: string]>;
}

export function expand(model: Model, encoding: string): Expansion {
  const parent = materialize(encoding, model.setup);
  const file = hasFile(parent);
  const pinsFull = pinsHeld(parent) >= model.scope.pins;
  const [from, to] = file ? [model.firstOp, model.steps.length] : [0, model.firstOp];
  const seen = new Set<string>();
  const out: Expansion = { transitions: 0, children: [], violations: [], crashes: [] };
  // Each child on a copy of the parent, made from its encoding once (Simulator.clone; test/explore.clone.test.ts holds it to materialize).
  const fresh = (): Simulator => {
    const copy = parent.clone();
    if (parent.file) startChecksFrom(parent.file, copy.file!);
    return copy;
  };
  // A copy that came back from its step as the parent it was made from (a self-loop: half the transitions) serves the next step too.
  let spare: Simulator | undefined;
  for (let i = from; i < to; i++) {
    const step = model.steps[i]!;
    if (pinsFull && step.op === 'pin') continue;
    const copy = spare ?? fresh();
    spare = undefined;
    out.transitions++;
    let child: string;
    let relabel = 0;
    try {
      const { outcome, violations } = takeStep(copy, step);
      if (violations.length) out.violations.push([i, [...new Set(violations.map((v) => (v.defect ? `${v.invariant}/${v.defect}` : v.invariant)))]]);
      // A step that never returns (INV-14) leads to a terminal state: the machine is stuck in the kernel, and no step can follow.
      if (outcome?.kind === 'hang') continue;
      if (model.group) {
        const reduced = encodeReduced(copy, model.group, encoding);
        child = reduced.encoding;
        relabel = packRelabel(model.group, reduced.relabel);
      } else child = encode(copy, encoding);
    } catch (err) {
      out.crashes.push([i, err instanceof Error ? err.message : String(err)]);
      continue;
    }
    // The same state in the same names: everything that decides an outcome or a verdict is as in the parent (state-codec.ts).
    if (child === encoding && relabel === 0) spare = copy;
    if (seen.has(child)) continue;
    seen.add(child);
    out.children.push(relabel ? [i, child, relabel] : [i, child]);
  }
  return out;
}
