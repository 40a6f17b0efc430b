/**
 * Every generated walk, as one job: the block machine's transition cover
 * under each setting, the use-case catalogue, and the range and folio
 * machines' transition covers and simple paths. Returns a row per group
 * (use case or cover, and its setting), the failures, and the coverage.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PathFailure, WalkPath, WalkSetting } from './block-walk';
import { blockSettings, expectBlockCoverage, runBlockPath, transitionCover } from './block-walk';
import type { CoverageKind } from './coverage';
import { Ledger } from './coverage';
import { expectInvariants } from './invariant-coverage';
import type { MachinePath, MachinePathFailure } from './machine-walks';
import { expectMachineCoverage, folioPaths, rangePaths, runMachinePath } from './machine-walks';
import { USE_CASES, useCasePaths, useCaseSettings } from './usecases';

export interface WalkRow {
  group: string;
  setting: string;
  paths: number;
  steps: number;
  failed: number;
}

export interface WalkReport {
  rows: WalkRow[];
  failures: Array<PathFailure | MachinePathFailure>;
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
}

interface Group {
  group: string;
  setting: string;
  paths: () => Array<WalkPath | MachinePath>;
}

export function runWalks(options: WalkOptions = {}): WalkReport {
  const parts = new Set(options.parts ?? ['block', 'usecases', 'range', 'folio']);
  const withFaults = (s: WalkSetting): WalkSetting => (options.faults ? { ...s, faults: options.faults } : s);
  const settings = blockSettings().filter(options.settings ?? (() => true)).map(withFaults);
  const ledger = new Ledger();
  expectInvariants(ledger);
  const groups: Group[] = [];
  if (parts.has('block')) {
    expectBlockCoverage(ledger, settings);
    for (const s of settings) groups.push({ group: 'block: every transition', setting: s.name, paths: () => transitionCover(s) });
  }
  if (parts.has('usecases')) {
    for (const u of USE_CASES) {
      for (const s of useCaseSettings(u).map(withFaults)) {
        ledger.expect('use cases', [`${u.name} (${s.variant}, ${s.vmType})`]);
        groups.push({ group: `use case: ${u.name}`, setting: `${s.variant} ${s.vmType}`, paths: () => useCasePaths(u, s) });
      }
    }
  }
  if (parts.has('range') || parts.has('folio')) expectMachineCoverage(ledger);
  if (parts.has('range')) groups.push({ group: 'range machine: every transition + simple paths', setting: 'every input', paths: rangePaths });
  if (parts.has('folio')) groups.push({ group: 'folio machine: every transition + simple paths', setting: 'every policy', paths: folioPaths });
  if (!parts.has('range')) ledger.drop('range: ');
  if (!parts.has('folio')) ledger.drop('folio: ');

  const rows: WalkRow[] = [];
  const failures: Array<PathFailure | MachinePathFailure> = [];
  const traces: string[] = [];
  groups.forEach((g, i) => {
    options.onProgress?.(i, groups.length, `${g.group} (${g.setting})`);
    const paths = g.paths();
    const row: WalkRow = { group: g.group, setting: g.setting, paths: paths.length, steps: 0, failed: 0 };
    for (const path of paths) {
      const failure = 'machine' in path ? runMachinePath(path, ledger) : runBlockPath(path, ledger);
      row.steps += 'machine' in path ? path.events.length : path.ops.length;
      if (!failure) continue;
      row.failed++;
      failures.push(failure);
      if ('trace' in failure && options.traceDir && traces.length < 20) traces.push(writeTrace(options.traceDir, failure, traces.length));
    }
    if (g.group.startsWith('use case: ') && row.paths > 0 && row.failed === 0) {
      ledger.cover('use cases', `${g.group.slice('use case: '.length)} (${g.setting.replace(' ', ', ')})`);
    }
    rows.push(row);
  });
  options.onProgress?.(groups.length, groups.length, 'done');
  const coverage = ledger.report();
  return { rows, failures, coverage, complete: coverage.every((k) => k.uncovered.length === 0), traces };
}

function writeTrace(dir: string, failure: PathFailure, n: number): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${String(n).padStart(2, '0')}-${failure.trace.name}.json`);
  writeFileSync(file, `${JSON.stringify(failure.trace, null, 1)}\n`);
  return file;
}
