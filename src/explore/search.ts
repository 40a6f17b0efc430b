/**
 * Breadth-first explicit-state search over the simulator: level by level
 * from the empty machine, every step in scope from every state, children
 * deduplicated by their canonical encoding, every invariant checked on every
 * transition (takeStep). Breadth-first makes the first transition that breaks
 * an invariant the end of a shortest counterexample; levels are processed in
 * frontier order whatever the number of workers, so results are the same on
 * one core or many.
 *
 * Sharding (--shard i/n, for a CI matrix): every shard runs the same search
 * up to the first level whose frontier holds at least 16n states (the split
 * depth), keeps only the frontier states whose fingerprint is i mod n, and
 * searches on from those. Every state within the depth bound is reached by
 * some shard at its true depth (a shortest path passes through exactly one
 * frontier state of the split level), so the union of the shards' states is
 * the one-run state set; `--merge` unions them by fingerprint, taking each
 * state's least depth, counts transitions once per expanded state, and keeps
 * the shortest counterexample per invariant.
 */
import type { Expansion, Model, Setting } from './expand';
import { buildModel, expand } from './expand';
import { fingerprint } from './fingerprint';
import { SeenStates } from './seen-states';
import type { Scope, Step } from './operations';
import type { ExpandPool } from './worker-pool';
import { takeStep } from '../engine/step';
import { rootSimulator } from './state-codec';
import { compose, identity, invert, relabelStep, unpackRelabel } from './symmetry';
import type { InvariantName } from '../../machines/invariants';

export type FindingKind = InvariantName | 'CRASH';

/**
 * What a finding is: the invariant, and the known kernel defect (K1-K11)
 * whose mechanism broke it when the simulator names one (Violation.defect),
 * as `INV-9` or `INV-9/K3`. The search keeps one shortest counterexample per
 * key, so two defects breaking the same invariant are each found.
 */
export type FindingKey = string;

export function findingKey(invariant: FindingKind, defect?: string): FindingKey {
  return defect ? `${invariant}/${defect}` : invariant;
}

export function splitKey(key: FindingKey): { invariant: FindingKind; defect?: string } {
  const [invariant, defect] = key.split('/') as [FindingKind, string | undefined];
  return defect ? { invariant, defect } : { invariant };
}

export interface Finding {
  invariant: FindingKind;
  /** the known defect whose mechanism produced the break, when the simulator names one. */
  defect?: string;
  /** steps, create first; the last one breaks the invariant. */
  steps: Step[];
  message?: string;
}

export interface ShardInfo {
  index: number;
  count: number;
  /** the level whose frontier was split. */
  splitDepth: number;
}

export interface ExploreResult {
  /**
   * With `baseline`: per invariant, the shortest counterexample whose steps do
   * not break that invariant under the baseline setting (a policy
   * alternative's own breaks, told apart from the variant's defects).
   */
  ownFindings?: Finding[];
  setting: Setting;
  scope: Scope;
  states: number;
  transitions: number;
  /** the deepest level holding a state. */
  depthReached: number;
  /** the search ran out of states before the depth bound. */
  exhausted: boolean;
  wallMs: number;
  statesPerSecond: number;
  findings: Finding[];
  shard?: ShardInfo;
  /** per state: fingerprint, depth, transitions computed from it (-1: not expanded); for --merge. */
  fingerprints?: number[];
  /** with `keepPaths`: a shortest path (steps, create first) to every state but the empty machine, in the order reached. */
  paths?: Step[][];
  /** past `exactStates`, seen states were kept as fingerprints (seen-states.ts): after how many, and the odds that two collided. */
  fingerprinted?: { after: number; collisionOdds: number };
}

export interface ExploreOptions {
  /** worker threads to expand on (shared by concurrent searches); none: this thread. */
  pool?: ExpandPool;
  /** part `index` of `count`, numbered from 1 as the walk's and jest's shards are. */
  shard?: { index: number; count: number };
  /** keep per-state fingerprints (shards do, for --merge). */
  keepFingerprints?: boolean;
  /** keep a shortest path to every state (the kernel run replays them). */
  keepPaths?: boolean;
  /** the kernel decision to tell a policy alternative's own breaks from (see ExploreResult.ownFindings). */
  baseline?: Setting;
  /** states kept by their exact encoding before the rest are kept as fingerprints (default DEFAULT_EXACT_STATES). */
  exactStates?: number;
  /** stop after the level on which the first invariant broke (with a baseline: the first own break). */
  stopAtFirstFinding?: boolean;
  onProgress?: (info: { depth: number; states: number; transitions: number; done: number; total: number }) => void;
}

const BATCH = 64;

/** States a search keeps exactly before it keeps fingerprints: about 0.6 GB of encodings in the cross-block scope. */
export const DEFAULT_EXACT_STATES = 2_000_000;

export async function explore(setting: Setting, scope: Scope, options: ExploreOptions = {}): Promise<ExploreResult> {
  const start = Date.now();
  const model = buildModel(setting, scope);
  return search(model, options.pool, options, start);
}

async function search(model: Model, pool: ExpandPool | undefined, options: ExploreOptions, start: number): Promise<ExploreResult> {
  const { scope } = model;
  const seen = new SeenStates(options.exactStates ?? DEFAULT_EXACT_STATES);
  seen.add('', 0);
  const parent: number[] = [-1];
  const via: number[] = [-1];
  const depthOf: number[] = [0];
  const degree: number[] = [-1];
  /** per state, with symmetry: the packed relabelling from the state its step made to it (0: none). */
  const relabelOf: number[] = [0];
  const first = new Map<FindingKey, { parent: number; step: number; message?: string }>();
  const own = new Map<FindingKey, { parent: number; step: number }>();
  const baseline = options.baseline ? buildModel(options.baseline, scope) : undefined;
  /** Replays per invariant spent looking for an own break, bounded so a variant defect everywhere cannot stall the search. */
  const tries = new Map<FindingKey, number>();
  let frontier: string[] = [''];
  let frontierIds: number[] = [0];
  let transitions = 0;
  let depth = 0;
  let shard: ShardInfo | undefined;
  /**
   * The steps from the empty machine to state `id` (and then step `last`),
   * in the names of the first state: with symmetry each step was taken in
   * its state's canonical names, renamed back here through the
   * relabellings along the path (src/explore/symmetry.ts).
   */
  const stepsTo = (id: number, last?: number): Step[] => {
    const ids: number[] = [];
    for (let at = id; at > 0; at = parent[at]!) ids.push(at);
    ids.reverse();
    const group = model.group;
    if (!group) return [...ids.map((s) => via[s]!), ...(last === undefined ? [] : [last])].map((i) => model.steps[i]!);
    let toCanonical = identity(group);
    const out: Step[] = [];
    for (const s of ids) {
      out.push(relabelStep(model.steps[via[s]!]!, invert(toCanonical)));
      toCanonical = compose(unpackRelabel(group, relabelOf[s]!), toCanonical);
    }
    if (last !== undefined) out.push(relabelStep(model.steps[last]!, invert(toCanonical)));
    return out;
  };

  while (depth < scope.depth && frontier.length) {
    if (options.shard && !shard && frontier.length >= 16 * options.shard.count) {
      const { index, count } = options.shard;
      shard = { index, count, splitDepth: depth };
      const keep = frontier.map((e) => fingerprint(e) % count === index - 1);
      frontier = frontier.filter((_, i) => keep[i]);
      frontierIds = frontierIds.filter((_, i) => keep[i]);
    }
    const next: string[] = [];
    const nextIds: number[] = [];
    // Each state's expansion is taken in as it comes, in frontier order: a level's expansions are never all held at once.
    const absorb = (x: Expansion, k: number) => {
      const from = frontierIds[k]!;
      degree[from] = x.transitions;
      transitions += x.transitions;
      for (const [step, keys] of x.violations) {
        for (const inv of keys) {
          if (!first.has(inv)) first.set(inv, { parent: from, step });
          if (!baseline || own.has(inv) || (tries.get(inv) ?? 0) >= OWN_TRIES) continue;
          tries.set(inv, (tries.get(inv) ?? 0) + 1);
          const steps = stepsTo(from, step);
          if (!breaksUnder(baseline, steps, inv)) own.set(inv, { parent: from, step });
        }
      }
      for (const [step, message] of x.crashes) if (!first.has('CRASH')) first.set('CRASH', { parent: from, step, message });
      for (const [step, child, relabel] of x.children) {
        const id = parent.length;
        if (!seen.add(child, id)) continue;
        parent.push(from);
        via.push(step);
        relabelOf.push(relabel ?? 0);
        depthOf.push(depth + 1);
        degree.push(-1);
        next.push(child);
        nextIds.push(id);
      }
    };
    await expandAll(model, pool, frontier, absorb, (done) => options.onProgress?.({ depth: depth + 1, states: seen.size, transitions, done, total: frontier.length }));
    frontier = next;
    frontierIds = nextIds;
    depth++;
    if (options.stopAtFirstFinding && (baseline ? own.size : first.size)) break;
    options.onProgress?.({ depth, states: seen.size, transitions, done: 0, total: frontier.length });
  }

  const findings: Finding[] = [...first].map(([key, f]) => ({
    ...splitKey(key),
    steps: stepsTo(f.parent, f.step),
    ...(f.message ? { message: f.message } : {}),
  }));
  findings.sort(byKindThenLength);
  const ownFindings: Finding[] | undefined = baseline
    ? [...own].map(([key, f]) => ({ ...splitKey(key), steps: stepsTo(f.parent, f.step) })).sort(byKindThenLength)
    : undefined;
  const wallMs = Date.now() - start;
  let fingerprints: number[] | undefined;
  if (options.keepFingerprints) {
    fingerprints = [];
    for (const [fp, id] of seen.fingerprints()) fingerprints.push(fp, depthOf[id]!, degree[id]!);
  }
  const paths = options.keepPaths ? parent.slice(1).map((_, i) => stepsTo(i + 1)) : undefined;
  return {
    setting: model.setting,
    scope,
    states: seen.size,
    transitions,
    depthReached: depthOf.reduce((a, b) => (b > a ? b : a), 0),
    exhausted: frontier.length === 0,
    wallMs,
    statesPerSecond: Math.round(seen.size / Math.max(0.001, wallMs / 1000)),
    findings,
    ...(ownFindings ? { ownFindings } : {}),
    ...(shard ? { shard } : {}),
    ...(fingerprints ? { fingerprints } : {}),
    ...(paths ? { paths } : {}),
    ...(seen.fingerprintedAfter !== undefined ? { fingerprinted: { after: seen.fingerprintedAfter, collisionOdds: seen.collisionOdds() } } : {}),
  };
}

/**
 * Expands every state of the frontier and hands each expansion to `absorb`
 * with its index, in frontier order whatever order the workers finish in
 * (the results are then the same on any number of cores); a batch is let go
 * once taken in.
 */
async function expandAll(model: Model, pool: ExpandPool | undefined, frontier: string[], absorb: (x: Expansion, k: number) => void, progress: (done: number) => void): Promise<void> {
  if (!pool) {
    for (let i = 0; i < frontier.length; i++) {
      absorb(expand(model, frontier[i]!), i);
      if (i % 256 === 255) progress(i + 1);
    }
    return;
  }
  let done = 0;
  let nextBatch = 0;
  const ready = new Map<number, Expansion[]>();
  const batches: Array<Promise<void>> = [];
  for (let i = 0, b = 0; i < frontier.length; i += BATCH, b++) {
    batches.push(
      pool.expand(model.setting, model.scope, frontier.slice(i, i + BATCH)).then((x) => {
        ready.set(b, x);
        for (let got = ready.get(nextBatch); got; got = ready.get(nextBatch)) {
          ready.delete(nextBatch);
          got.forEach((e, j) => absorb(e, nextBatch * BATCH + j));
          nextBatch++;
        }
        done += x.length;
        progress(done);
      }),
    );
  }
  await Promise.all(batches);
}

const OWN_TRIES = 2000;

/** Whether these steps break the invariant under another setting (the simulator throwing counts as no). */
function breaksUnder(model: Model, steps: Step[], key: FindingKey): boolean {
  const { invariant } = splitKey(key);
  const sim = rootSimulator(model.setup);
  try {
    // Any break of the invariant counts: under the kernel decision a defect may break it by another mechanism.
    for (const step of steps) {
      const r = takeStep(sim, step);
      if (r.violations.some((v) => v.invariant === invariant)) return true;
      // A step that never returns ends the run there: the steps after it cannot happen.
      if (r.outcome?.kind === 'hang') return false;
    }
  } catch {
    return false;
  }
  return false;
}

export function invariantOrder(kind: FindingKind): number {
  return kind === 'CRASH' ? 0 : Number(kind.slice(4));
}

function byKindThenLength(a: Finding, b: Finding): number {
  return invariantOrder(a.invariant) - invariantOrder(b.invariant) || (a.defect ?? '').localeCompare(b.defect ?? '');
}

/** Findings in report order: by invariant number, then defect. */
export function byFinding(a: Finding, b: Finding): number {
  return byKindThenLength(a, b);
}
