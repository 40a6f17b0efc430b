/**
 * Runs the explorer over a list of settings (concurrently, sharing one pool
 * of worker threads), turns each finding into its counterexample files, and
 * compares what broke with what the setting is known to break. Also reads
 * and merges shard outputs (`gmem explore --shard i/n`, `--merge`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Setting } from './expand';
import { buildModel } from './expand';
import type { Counterexample } from './counterexample';
import { counterexample, slug } from './counterexample';
import type { Scope } from './operations';
import type { ExploreResult, Finding, FindingKey } from './search';
import { byFinding, explore, findingKey } from './search';
import { settingName } from './settings';
import type { Policy } from '../../machines/policy';
import { DEFAULT_POLICY } from '../../machines/policy';

function isKernelPolicy(policy: Policy): boolean {
  return (Object.keys(DEFAULT_POLICY) as Array<keyof Policy>).every((k) => policy[k] === DEFAULT_POLICY[k]);
}
import { ExpandPool } from './worker-pool';
import { jsonErrorWhere } from '../json-error';
import type { InvariantName } from '../../machines/invariants';
import type { Expected } from '../../machines/expectations';
import { expectedBreaks } from '../../machines/expectations';

export interface SettingReport {
  name: string;
  result: ExploreResult;
  counterexamples: Counterexample[];
  expected: Expected[];
  /** broken (finding keys, `INV-9/K3`), but neither a known defect nor the policy's documented exposure. */
  unexpected: FindingKey[];
  /** expected, but not broken in this scope. */
  missing: Expected[];
  /** a policy alternative or seeded fault: the finding keys it breaks that the plain variant does not on the same steps. */
  own?: Set<FindingKey>;
  /** counterexample files written, per finding key. */
  files: Partial<Record<FindingKey, { trace: string; itf: string }>>;
}

export interface RunOptions {
  workers?: number;
  out?: string;
  shard?: { index: number; count: number };
  /** states each search keeps exactly before it keeps fingerprints (ExploreOptions.exactStates). */
  exactStates?: number;
  /** states of a level each search holds in memory before the rest go to a temporary file (ExploreOptions.frontierInMemory). */
  frontierInMemory?: number;
  /** stop each search after the level where the first finding appears (seeded-fault checks). */
  stopAtFirstFinding?: boolean;
  /** `done`: settings finished plus the share of each running one explored so far (its levels against the depth bound), so a bar moves within a setting. */
  onProgress?: (done: number, total: number, label: string) => void;
  /** a setting's search finished: the `done`-th of `total`. */
  onSettingDone?: (result: ExploreResult, done: number, total: number) => void;
}

export async function runSettings(settings: Setting[], scope: Scope, options: RunOptions = {}): Promise<SettingReport[]> {
  const workers = options.workers ?? 1;
  const pool = workers > 1 ? new ExpandPool(workers) : undefined;
  const states = new Array<number>(settings.length).fill(0);
  const share = new Array<number>(settings.length).fill(0);
  let finished = 0;
  const tick = () => options.onProgress?.(Math.min(settings.length, share.reduce((a, b) => a + b, 0)), settings.length, `${states.reduce((a, b) => a + b, 0).toLocaleString('en-US')} states`);
  try {
    const results = await Promise.all(
      settings.map((setting, i) =>
        explore(setting, scope, {
          ...(pool ? { pool } : {}),
          ...(options.shard ? { shard: options.shard, keepFingerprints: true } : {}),
          ...(options.stopAtFirstFinding ? { stopAtFirstFinding: true } : {}),
          ...(options.exactStates !== undefined ? { exactStates: options.exactStates } : {}),
          ...(options.frontierInMemory !== undefined ? { frontierInMemory: options.frontierInMemory } : {}),
          // A policy alternative or a seeded fault is told apart from what the plain variant breaks anyway.
          ...(isKernelPolicy(setting.policy) && !setting.faults?.length ? {} : { baseline: { variant: setting.variant, vmType: setting.vmType, policy: DEFAULT_POLICY } }),
          onProgress: (p) => {
            states[i] = p.states;
            share[i] = Math.min(0.99, (p.depth - 1 + p.done / Math.max(1, p.total)) / scope.depth);
            tick();
          },
        }).then((r) => {
          finished++;
          share[i] = 1;
          options.onSettingDone?.(r, finished, settings.length);
          tick();
          return r;
        }),
      ),
    );
    return results.map((r) => report(r, options.out));
  } finally {
    await pool?.close();
  }
}

export function report(result: ExploreResult, out?: string): SettingReport {
  const model = buildModel(result.setting, result.scope);
  const keyOf = (f: Finding) => findingKey(f.invariant, f.defect);
  // A policy alternative's own counterexample of an invariant, where it has one, is the one to show.
  const own = result.ownFindings ? new Map(result.ownFindings.map((f) => [keyOf(f), f])) : undefined;
  const counterexamples = result.findings.map((f) => counterexample(model, own?.get(keyOf(f)) ?? f));
  const expected = expectedBreaks(result.setting, result.scope.blocks);
  const files: SettingReport['files'] = {};
  if (out && counterexamples.length) {
    const dir = join(out, slug(result.setting));
    mkdirSync(dir, { recursive: true });
    for (const c of counterexamples) {
      const base = join(dir, counterexampleName(c.finding));
      files[keyOf(c.finding)] = { trace: `${base}.trace.json`, itf: `${base}.itf.json` };
      writeFileSync(`${base}.trace.json`, `${JSON.stringify(c.trace, null, 1)}\n`);
      writeFileSync(`${base}.itf.json`, `${JSON.stringify(c.itf, null, 1)}\n`);
    }
  }
  const matches = (f: Finding, e: Expected) => f.invariant === e.invariant && f.defect === e.defect;
  // The kernel's policies must show every known defect; a policy alternative or a seeded fault must show its own breaks.
  const judgedOnOwn = own !== undefined;
  const found = judgedOnOwn ? [...own.values()] : result.findings;
  return {
    name: settingName(result.setting),
    result,
    counterexamples,
    expected,
    unexpected: result.findings.filter((f) => f.invariant === 'CRASH' || !expected.some((e) => matches(f, e))).map(keyOf),
    missing: expected.filter((e) => (judgedOnOwn ? e.defect === undefined : true) && !found.some((f) => matches(f, e))),
    ...(own ? { own: new Set(own.keys()) } : {}),
    files,
  };
}

/** A counterexample's file name without extension: `INV-9` or `INV-9.K3`. */
export function counterexampleName(f: Pick<Finding, 'invariant' | 'defect'>): string {
  return f.defect ? `${f.invariant}.${f.defect}` : f.invariant;
}

// ---- shards ----------------------------------------------------------------

export const SHARD_FORMAT = 'gmem-explore-shard/1';

interface ShardFile {
  format: typeof SHARD_FORMAT;
  scope: Scope;
  shard: { index: number; count: number };
  results: Array<Omit<ExploreResult, 'fingerprints'> & { fingerprints: string }>;
}

export function writeShard(file: string, scope: Scope, shard: { index: number; count: number }, reports: SettingReport[]): void {
  const body: ShardFile = {
    format: SHARD_FORMAT,
    scope,
    shard,
    results: reports.map(({ result }) => ({ ...result, fingerprints: Buffer.from(new Float64Array(result.fingerprints ?? []).buffer).toString('base64') })),
  };
  writeFileSync(file, `${JSON.stringify(body)}\n`);
}

/** Reads shard files; a malformed one is reported by name (exit 2 in the CLI). */
export function readShard(file: string): ShardFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ShardError(`${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let body: ShardFile;
  try {
    body = JSON.parse(text) as ShardFile;
  } catch (err) {
    throw new ShardError(`${file}: not JSON (${jsonErrorWhere(text, err)})`);
  }
  if (body?.format !== SHARD_FORMAT || !Array.isArray(body.results)) throw new ShardError(`${file}: $.format: expected "${SHARD_FORMAT}"`);
  return body;
}

export class ShardError extends Error {}

/**
 * One result per setting from every shard's: states unioned by fingerprint
 * (least depth wins), transitions counted once per expanded state, the
 * shortest counterexample per invariant (ties: the first in step-label order).
 */
export function mergeShards(shards: ShardFile[]): ExploreResult[] {
  const count = shards[0]!.shard.count;
  const seen = new Set(shards.map((s) => s.shard.index));
  if (shards.some((s) => s.shard.count !== count) || seen.size !== count) {
    throw new ShardError(`shards must be 1/${count} to ${count}/${count}, each once; got ${shards.map((s) => `${s.shard.index}/${s.shard.count}`).join(', ')}`);
  }
  const scopeKey = JSON.stringify(shards[0]!.scope);
  if (shards.some((s) => JSON.stringify(s.scope) !== scopeKey)) throw new ShardError('shards explored different scopes');
  const byName = new Map<string, Array<ShardFile['results'][number]>>();
  for (const s of shards) for (const r of s.results) byName.set(settingName(r.setting), [...(byName.get(settingName(r.setting)) ?? []), r]);
  return [...byName.values()].map((parts) => {
    const states = new Map<number, { depth: number; degree: number }>();
    for (const part of parts) {
      const fp = new Float64Array(Buffer.from(part.fingerprints, 'base64').buffer.slice(0));
      for (let i = 0; i < fp.length; i += 3) {
        const prev = states.get(fp[i]!);
        const depth = fp[i + 1]!;
        const degree = fp[i + 2]!;
        if (!prev) states.set(fp[i]!, { depth, degree });
        else states.set(fp[i]!, { depth: Math.min(prev.depth, depth), degree: Math.max(prev.degree, degree) });
      }
    }
    let transitions = 0;
    let depthReached = 0;
    for (const s of states.values()) {
      if (s.degree >= 0) transitions += s.degree;
      depthReached = Math.max(depthReached, s.depth);
    }
    const shortest = (lists: Array<Finding[] | undefined>): Finding[] => {
      const best = new Map<FindingKey, Finding>();
      for (const list of lists) {
        for (const f of list ?? []) {
          const key = findingKey(f.invariant, f.defect);
          const b = best.get(key);
          if (!b || f.steps.length < b.steps.length || (f.steps.length === b.steps.length && JSON.stringify(f.steps) < JSON.stringify(b.steps))) best.set(key, f);
        }
      }
      return [...best.values()].sort(byFinding);
    };
    const ownFindings = parts.some((p) => p.ownFindings) ? shortest(parts.map((p) => p.ownFindings)) : undefined;
    const wallMs = Math.max(...parts.map((p) => p.wallMs));
    return {
      setting: parts[0]!.setting,
      scope: parts[0]!.scope,
      states: states.size,
      transitions,
      depthReached,
      exhausted: parts.every((p) => p.exhausted),
      wallMs,
      statesPerSecond: Math.round(states.size / Math.max(0.001, wallMs / 1000)),
      findings: shortest(parts.map((p) => p.findings)),
      ...(ownFindings ? { ownFindings } : {}),
    };
  });
}

export function brokenList(r: SettingReport): Array<{ key: FindingKey; length: number }> {
  return r.result.findings.map((f) => ({ key: findingKey(f.invariant, f.defect), length: f.steps.length }));
}

export type { InvariantName };
