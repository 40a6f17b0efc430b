/**
 * The verdicts' search and where its results go: every verdict setting
 * explored at the start scope and every kernel tree's at the cross-block
 * scope, counterexample traces under docs/verdicts/ (the cross-block
 * scope's under docs/verdicts/cross-block/),
 * every setting's result in docs/verdicts/results.json, the document in
 * docs/VERDICTS.md. Those committed files are a function of the sources
 * named in VERDICT_INPUTS, whose digest the document records (the
 * staleness test compares that digest with the sources now), so they hold
 * no timings: those differ on every run and go to an ignored file beside.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root';
import type { SettingReport } from './run';
import type { ExploreResult } from './search';
import { runSettings } from './run';
import type { Scope } from './operations';
import { CROSS_BLOCK_SCOPE, crossBlockSettings, scopeNameOf, START_SCOPE, verdictSettings } from './settings';

const ROOT = PACKAGE_ROOT;
export const VERDICTS_FILE = join(ROOT, 'docs', 'VERDICTS.md');
export const VERDICT_TRACES = join(ROOT, 'docs', 'verdicts');
/** Every setting's result (without fingerprints), from which the document is rendered. */
export const VERDICT_RESULTS = join(VERDICT_TRACES, 'results.json');
/** Each setting's wall time and rate from the last `gmem verdicts` on this machine (ignored by git). */
export const VERDICT_TIMINGS = join(VERDICT_TRACES, 'timings.json');

/** Every committed counterexample trace (`docs/verdicts/SETTING/INV-n.Kn.trace.json`), in a stable order. */
export function counterexampleTraces(): string[] {
  return readdirSync(VERDICT_TRACES, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.trace.json'))
    .sort()
    .map((f) => join(VERDICT_TRACES, f));
}

/** A result as committed: without the timings, which change from run to run while nothing else does, nor where a level was held (--frontier-states). */
export type StoredResult = Omit<ExploreResult, 'wallMs' | 'statesPerSecond' | 'spilledStates'>;

export function storedResult(r: ExploreResult): StoredResult {
  const { wallMs: _wallMs, statesPerSecond: _rate, spilledStates: _spilled, ...rest } = r;
  return rest;
}

/** Writes every setting's result (results.json, committed) and its timings (timings.json, ignored). */
export function writeVerdictResults(reports: SettingReport[], wallMs: number): void {
  writeFileSync(VERDICT_RESULTS, `${JSON.stringify(reports.map((r) => storedResult(r.result)), null, 1)}\n`);
  const timings = { wallMs, settings: reports.map((r) => ({ name: r.name, wallMs: r.result.wallMs, statesPerSecond: r.result.statesPerSecond })) };
  writeFileSync(VERDICT_TIMINGS, `${JSON.stringify(timings, null, 1)}\n`);
}

/** The committed results, as the explorer's results again (their timings unknown: 0). */
export function readVerdictResults(): ExploreResult[] {
  const stored = JSON.parse(readFileSync(VERDICT_RESULTS, 'utf8')) as StoredResult[];
  return stored.map((r) => ({ ...r, wallMs: 0, statesPerSecond: 0 }));
}

/** The sources the verdicts are a function of (their digest goes into the document). */
export const VERDICT_INPUTS = ['machines', 'src/interpreter', 'src/arena', 'src/invariants', 'src/trace', 'src/explore', 'src/selftest', 'src/engine', 'src/present/verdicts'];

export function inputsDigest(): string {
  const files: string[] = [];
  const walk = (p: string) => {
    const abs = join(ROOT, p);
    if (statSync(abs).isDirectory()) for (const e of readdirSync(abs).sort()) walk(join(p, e));
    // Every source file in them, the selftest runtime's C (src/selftest/c/) as well as the TypeScript.
    else if (/\.(ts|c|h)$/.test(p)) files.push(p);
  };
  VERDICT_INPUTS.forEach(walk);
  const hash = createHash('sha256');
  for (const f of files.sort()) hash.update(`${f}\0`).update(readFileSync(join(ROOT, f))).update('\0');
  hash.update(JSON.stringify(START_SCOPE)).update(JSON.stringify(CROSS_BLOCK_SCOPE));
  return hash.digest('hex').slice(0, 16);
}

/** Where a scope's counterexample traces go: the start scope's under VERDICT_TRACES, another named scope's in a folder of its name. */
export function verdictTraceDir(scope: Scope): string {
  const name = scopeNameOf(scope);
  return name === 'start' || name === undefined ? VERDICT_TRACES : join(VERDICT_TRACES, name);
}

/**
 * Explores every verdict setting at the start scope, then every kernel tree
 * at the cross-block scope, the counterexample traces written afresh under
 * VERDICT_TRACES; the reports of both, start scope first.
 */
export async function exploreVerdicts(workers: number, onProgress?: (done: number, total: number, label: string) => void): Promise<SettingReport[]> {
  rmSync(VERDICT_TRACES, { recursive: true, force: true });
  const runs = [
    { scope: START_SCOPE, settings: verdictSettings() },
    { scope: CROSS_BLOCK_SCOPE, settings: crossBlockSettings() },
  ];
  const total = runs.reduce((n, r) => n + r.settings.length, 0);
  const reports: SettingReport[] = [];
  for (const run of runs) {
    const before = reports.length;
    const progress = onProgress && ((done: number, _total: number, label: string) => onProgress(before + done, total, `${scopeNameOf(run.scope)} scope: ${label}`));
    reports.push(...(await runSettings(run.settings, run.scope, { workers, out: verdictTraceDir(run.scope), ...(progress ? { onProgress: progress } : {}) })));
  }
  return reports;
}
