/**
 * Every generated walk, as one job: the block machine's transition cover
 * under each setting, the use-case catalogue, and the range and folio
 * machines' transition covers and simple paths. Returns a row per group
 * (use case or cover, and its setting), the failures, and the coverage.
 */
import { createHash } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PathFailure, WalkPath, WalkSetting } from './block-walk';
import { blockSettings, expectBlockCoverage, runBlockPath, transitionCover } from './block-walk';
import type { CoverageKind } from './coverage';
import { Ledger } from './coverage';
import { expectInvariants } from './invariant-coverage';
import type { MachinePath, MachinePathFailure } from './machine-walks';
import { expectMachineCoverage, folioPaths, rangePaths, runMachinePath } from './machine-walks';
import { shardOf } from './select';
import { USE_CASES, useCasePaths, useCaseSettings } from './usecases';
import { tuneHeapForShortLivedSimulators } from '../heap-tuning';

export interface WalkRow {
  group: string;
  setting: string;
  paths: number;
  steps: number;
  failed: number;
  /** wall time of the row, generation included. */
  ms: number;
}

/** A failing path with where it came from: its row, and the trace file written for it. */
export type WalkFailure = (PathFailure | MachinePathFailure) & { group: string; setting: string; traceFile?: string };

export interface WalkReport {
  rows: WalkRow[];
  failures: WalkFailure[];
  coverage: CoverageKind[];
  complete: boolean;
  /** generated traces of failing block paths, written under `traceDir`. */
  traces: string[];
}

export interface WalkOptions {
  /** which parts to run (all by default): for jest shards and quick runs. */
  parts?: ReadonlyArray<'block' | 'usecases' | 'range' | 'folio'>;
  /** block settings to walk (all by default). */
  settings?: (s: WalkSetting) => boolean;
  faults?: WalkSetting['faults'];
  /** where failing paths are written as gmem-trace/1 files. */
  traceDir?: string;
  onProgress?: (done: number, total: number, label: string) => void;
  /** keep only the rows (use case or walk, and setting) this accepts; coverage expects only theirs. */
  select?: (group: string, setting: string) => boolean;
  /** run only every count-th path, starting at index - 1 (1-based), numbered across all rows. */
  shard?: { index: number; count: number };
  /** generate and report the paths without running them. */
  listOnly?: boolean;
  onRow?: (row: WalkRow, done: number, total: number) => void;
  /** stop at the first failing path (a gate that fails on any failure needs no more). */
  stopAtFirstFailure?: boolean;
  onPath?: (row: WalkRow, path: WalkPath | MachinePath, failure: WalkFailure | undefined, ms: number) => void;
}

interface Group {
  group: string;
  setting: string;
  paths: () => Array<WalkPath | MachinePath>;
}

export function runWalks(options: WalkOptions = {}): WalkReport {
  tuneHeapForShortLivedSimulators();
  const parts = new Set(options.parts ?? ['block', 'usecases', 'range', 'folio']);
  if (options.select && !options.select(RANGE_GROUP, 'every input')) parts.delete('range');
  if (options.select && !options.select(FOLIO_GROUP, 'every policy')) parts.delete('folio');
  const withFaults = (s: WalkSetting): WalkSetting => (options.faults ? { ...s, faults: options.faults } : s);
  const wanted = options.select ?? (() => true);
  const settings = blockSettings().filter(options.settings ?? (() => true)).filter((s) => wanted(BLOCK_GROUP, s.name)).map(withFaults);
  const ledger = new Ledger();
  expectInvariants(ledger);
  const groups: Group[] = [];
  if (parts.has('block') && settings.length > 0) {
    expectBlockCoverage(ledger, settings);
    for (const s of settings) groups.push({ group: BLOCK_GROUP, setting: s.name, paths: () => transitionCover(s) });
  }
  if (parts.has('usecases')) {
    for (const u of USE_CASES) {
      for (const s of useCaseSettings(u).map(withFaults)) {
        if (!wanted(`use case: ${u.name}`, `${s.variant} ${s.vmType}`)) continue;
        ledger.expect('use cases', [`${u.name} (${s.variant}, ${s.vmType})`]);
        groups.push({ group: `use case: ${u.name}`, setting: `${s.variant} ${s.vmType}`, paths: () => useCasePaths(u, s) });
      }
    }
  }
  if (parts.has('range') || parts.has('folio')) expectMachineCoverage(ledger);
  if (parts.has('range')) groups.push({ group: RANGE_GROUP, setting: 'every input', paths: rangePaths });
  if (parts.has('folio')) groups.push({ group: FOLIO_GROUP, setting: 'every policy', paths: folioPaths });
  if (!parts.has('range')) ledger.drop('range: ');
  if (!parts.has('folio')) ledger.drop('folio: ');

  const rows: WalkRow[] = [];
  const failures: WalkFailure[] = [];
  const traces: string[] = [];
  let numbered = 0;
  const inShard = () => !options.shard || shardOf(numbered++, options.shard.count) === options.shard.index;
  groups.forEach((g, i) => {
    if (options.stopAtFirstFailure && failures.length > 0) return;
    options.onProgress?.(i, groups.length, `${g.group} (${g.setting})`);
    const rowStart = Date.now();
    const paths = g.paths().filter(inShard);
    const row: WalkRow = { group: g.group, setting: g.setting, paths: paths.length, steps: 0, failed: 0, ms: 0 };
    for (const path of paths) {
      if (options.stopAtFirstFailure && failures.length > 0) break;
      row.steps += 'machine' in path ? path.events.length : path.ops.length;
      if (options.listOnly) {
        options.onPath?.(row, path, undefined, 0);
        continue;
      }
      const pathStart = process.hrtime.bigint();
      const found = 'machine' in path ? runMachinePath(path, ledger) : runBlockPath(path, ledger);
      const failure: WalkFailure | undefined = found && { ...found, group: g.group, setting: g.setting };
      if (failure) {
        row.failed++;
        failures.push(failure);
        if ('trace' in failure && options.traceDir && traces.length < 20) traces.push((failure.traceFile = writeTrace(options.traceDir, failure)));
      }
      options.onPath?.(row, path, failure, Number(process.hrtime.bigint() - pathStart) / 1e6);
    }
    if (g.group.startsWith('use case: ') && row.paths > 0 && row.failed === 0) {
      ledger.cover('use cases', `${g.group.slice('use case: '.length)} (${g.setting.replace(' ', ', ')})`);
    }
    row.ms = Date.now() - rowStart;
    rows.push(row);
    options.onRow?.(row, i + 1, groups.length);
  });
  options.onProgress?.(groups.length, groups.length, 'done');
  const coverage = ledger.report();
  return { rows, failures, coverage, complete: coverage.every((k) => k.uncovered.length === 0), traces };
}

export const BLOCK_GROUP = 'block: every transition';
export const RANGE_GROUP = 'range machine: every transition + simple paths';
export const FOLIO_GROUP = 'folio machine: every transition + simple paths';

/** Named after the path itself (its trace's name and a hash of its steps): unique, and the same in every run and shard. */
function writeTrace(dir: string, failure: PathFailure): string {
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(JSON.stringify(failure.trace.steps)).digest('hex').slice(0, 10);
  const file = join(dir, `${failure.trace.name}-${hash}.json`);
  writeFileSync(file, `${JSON.stringify(failure.trace, null, 1)}\n`);
  return file;
}
