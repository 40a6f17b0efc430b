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
import { StateTable } from './state-table';
import type { FrontierChunk } from './frontier';
import { DEFAULT_FRONTIER_IN_MEMORY, Frontier } from './frontier';
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
  /** the most states of one level held in a temporary file (frontier.ts); absent when every level fit in memory. */
  spilledStates?: number;
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
  /** states of a level held in memory before the rest go to a temporary file (default DEFAULT_FRONTIER_IN_MEMORY; frontier.ts). */
  frontierInMemory?: number;
  /** stop after the level on which the first invariant broke (with a baseline: the first own break). */
  stopAtFirstFinding?: boolean;
  /** `depth`: the level under way (1: the creates), `done` of its `total` states expanded. */
  onProgress?: (info: { depth: number; states: number; transitions: number; done: number; total: number }) => void;
}

const BATCH = 64;

/**
 * States a search keeps exactly before it keeps fingerprints: 500,000 wide
 * encodings (20 pages, 8 processes) take about 200 MB; past them a state
 * costs 16 to 32 bytes of fingerprint table instead of its encoding.
 */
export const DEFAULT_EXACT_STATES = 500_000;

export async function explore(setting: Setting, scope: Scope, options: ExploreOptions = {}): Promise<ExploreResult> {
  const start = Date.now();
  const model = buildModel(setting, scope);
  return search(model, options.pool, options, start);
}

async function search(model: Model, pool: ExpandPool | undefined, options: ExploreOptions, start: number): Promise<ExploreResult> {
  const { scope } = model;
  const seen = new SeenStates(options.exactStates ?? DEFAULT_EXACT_STATES);
  const table = new StateTable();
  seen.add('', table.add(-1, -1, 0, 0));
  const first = new Map<FindingKey, { parent: number; step: number; message?: string }>();
  const own = new Map<FindingKey, { parent: number; step: number }>();
  const baseline = options.baseline ? buildModel(options.baseline, scope) : undefined;
  /** Replays per invariant spent looking for an own break, bounded so a variant defect everywhere cannot stall the search. */
  const tries = new Map<FindingKey, number>();
  const inMemory = options.frontierInMemory ?? DEFAULT_FRONTIER_IN_MEMORY;
  let frontier = new Frontier(inMemory);
  frontier.push('', 0);
  let transitions = 0;
  let depth = 0;
  let deepest = 0;
  let spilled = 0;
  let exhausted = false;
  let shard: ShardInfo | undefined;
  /**
   * The steps from the empty machine to state `id` (and then step `last`),
   * in the names of the first state: with symmetry each step was taken in
   * its state's canonical names, renamed back here through the
   * relabellings along the path (src/explore/symmetry.ts).
   */
  const stepsTo = (id: number, last?: number): Step[] => {
    const ids: number[] = [];
    for (let at = id; at > 0; at = table.parent(at)) ids.push(at);
    ids.reverse();
    const group = model.group;
    if (!group) return [...ids.map((s) => table.via(s)), ...(last === undefined ? [] : [last])].map((i) => model.steps[i]!);
    let toCanonical = identity(group);
    const out: Step[] = [];
    for (const s of ids) {
      out.push(relabelStep(model.steps[table.via(s)]!, invert(toCanonical)));
      toCanonical = compose(unpackRelabel(group, table.relabel(s)), toCanonical);
    }
    if (last !== undefined) out.push(relabelStep(model.steps[last]!, invert(toCanonical)));
    return out;
  };

  try {
    while (depth < scope.depth && frontier.length) {
      let keep: ((encoding: string) => boolean) | undefined;
      let total = frontier.length;
      if (options.shard && !shard && frontier.length >= 16 * options.shard.count) {
        const { index, count } = options.shard;
        shard = { index, count, splitDepth: depth };
        keep = (e) => fingerprint(e) % count === index - 1;
        total = 0;
        for (const c of frontier.chunks(BATCH, keep)) total += c.encodings.length;
      }
      // The level at the depth bound is never expanded: only its size is needed (is the search exhausted?).
      const next = depth + 1 >= scope.depth ? Frontier.counting() : new Frontier(inMemory);
      // Each state's expansion is taken in as it comes, in frontier order: a level's expansions are never all held at once.
      const absorb = (x: Expansion, from: number) => {
        table.setDegree(from, x.transitions);
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
          if (!seen.add(child, table.size)) continue;
          next.push(child, table.add(from, step, depth + 1, relabel ?? 0));
          deepest = depth + 1;
        }
      };
      try {
        await expandAll(model, pool, frontier.chunks(BATCH, keep), absorb, (done) => options.onProgress?.({ depth: depth + 1, states: seen.size, transitions, done, total }));
      } catch (err) {
        next.dispose();
        throw err;
      }
      frontier.dispose();
      frontier = next;
      spilled = Math.max(spilled, frontier.spilled);
      depth++;
      if (options.stopAtFirstFinding && (baseline ? own.size : first.size)) break;
      // The next level, none of it done yet (the one just searched, all of it done).
      options.onProgress?.({ depth: depth + 1, states: seen.size, transitions, done: 0, total: frontier.length });
    }
    exhausted = frontier.length === 0;
  } finally {
    frontier.dispose();
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
    for (const [fp, id] of seen.fingerprints()) fingerprints.push(fp, table.depth(id), table.degree(id));
  }
  const paths = options.keepPaths ? Array.from({ length: table.size - 1 }, (_, i) => stepsTo(i + 1)) : undefined;
  return {
    setting: model.setting,
    scope,
    states: seen.size,
    transitions,
    depthReached: deepest,
    exhausted,
    wallMs,
    statesPerSecond: Math.round(seen.size / Math.max(0.001, wallMs / 1000)),
    findings,
    ...(ownFindings ? { ownFindings } : {}),
    ...(shard ? { shard } : {}),
    ...(fingerprints ? { fingerprints } : {}),
    ...(paths ? { paths } : {}),
    ...(spilled ? { spilledStates: spilled } : {}),
    ...(seen.fingerprintedAfter !== undefined ? { fingerprinted: { after: seen.fingerprintedAfter, collisionOdds: seen.collisionOdds() } } : {}),
  };
}

/**
 * Expands every state of the frontier and hands each expansion to `absorb`
 * with the state's id, in frontier order whatever order the workers finish
 * in (the results are then the same on any number of cores). Batches are
 * read from the frontier as workers free up, two per worker ahead, and let
 * go once taken in: neither a level nor its expansions are held whole.
 */
async function expandAll(model: Model, pool: ExpandPool | undefined, chunks: Iterator<FrontierChunk>, absorb: (x: Expansion, id: number) => void, progress: (done: number) => void): Promise<void> {
  let done = 0;
  if (!pool) {
    for (let c = chunks.next(); !c.done; c = chunks.next()) {
      const { encodings, ids } = c.value;
      for (let i = 0; i < encodings.length; i++) absorb(expand(model, encodings[i]!), ids[i]!);
      done += encodings.length;
      progress(done);
      // Let the event loop run between chunks: a signal's handler, a concurrent search's batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return;
  }
  // Two batches a worker: one being expanded, one waiting, so no worker idles (a batch of a wide scope's expansions is megabytes).
  const ahead = pool.size * 2;
  const ready = new Map<number, Expansion[]>();
  const idsOf = new Map<number, number[]>();
  let issued = 0;
  let taken = 0;
  let source = true;
  let failed = false;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => {
      // Batches still out are dropped when they come back: the level is abandoned.
      failed = true;
      reject(err);
    };
    const pump = () => {
      if (failed) return;
      try {
        for (let got = ready.get(taken); got; got = ready.get(taken)) {
          const ids = idsOf.get(taken)!;
          ready.delete(taken);
          idsOf.delete(taken);
          got.forEach((e, j) => absorb(e, ids[j]!));
          taken++;
          done += got.length;
          progress(done);
        }
        while (source && issued - taken < ahead) {
          const c = chunks.next();
          if (c.done) {
            source = false;
            break;
          }
          const b = issued++;
          idsOf.set(b, c.value.ids);
          pool.expand(model.setting, model.scope, c.value.encodings).then((x) => {
            ready.set(b, x);
            pump();
          }, fail);
        }
        if (!source && taken === issued) resolve();
      } catch (err) {
        fail(err);
      }
    };
    pump();
  });
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
