/**
 * The mutation score of the core, per file and per folder, against its
 * targets, from Stryker's JSON report (mutation-testing-report-schema),
 * counted as Stryker's metrics define it (mutation-testing-metrics: that
 * package is ESM-only, which jest here cannot load, so the four sums are
 * written out below). Targets: at least 90% over the core, at least 85% in
 * every file. The score counts a mutant no test reaches as undetected
 * (Stryker's "mutation score"); the covered score leaves those out.
 */
import type { FileResult, MutantStatus } from 'mutation-testing-report-schema' with { 'resolution-mode': 'import' };

export const CORE_TARGET = 90;
export const FILE_TARGET = 85;

export interface ScoreRow {
  name: string;
  kind: 'core' | 'folder' | 'file';
  killed: number;
  survived: number;
  noCoverage: number;
  timeout: number;
  invalid: number;
  /** detected / valid, percent (NaN without valid mutants). */
  score: number;
  /** detected / covered, percent. */
  covered: number;
  target: number;
  meets: boolean;
}

function rowOf(name: string, kind: ScoreRow['kind'], statuses: ReadonlyArray<MutantStatus>): ScoreRow {
  const count = (...of: MutantStatus[]) => statuses.filter((s) => of.includes(s)).length;
  const [killed, timeout, survived, noCoverage] = [count('Killed'), count('Timeout'), count('Survived'), count('NoCoverage')];
  const detected = killed + timeout;
  const score = (detected / (detected + survived + noCoverage)) * 100;
  const target = kind === 'file' ? FILE_TARGET : CORE_TARGET;
  return {
    name,
    kind,
    killed,
    survived,
    noCoverage,
    timeout,
    invalid: count('RuntimeError', 'CompileError'),
    score,
    covered: (detected / (detected + survived)) * 100,
    target,
    // A folder's score is a figure; the gate is the core and each file.
    meets: kind === 'folder' || Number.isNaN(score) || score >= target,
  };
}

/** The rows: the core, then each folder (a file's directory) followed by its files, in path order. */
export function scoreRows(files: Record<string, FileResult>): ScoreRow[] {
  const statusesOf = (paths: string[]) => paths.flatMap((p) => files[p]!.mutants.map((m) => m.status));
  const paths = Object.keys(files).sort();
  const folders = [...new Set(paths.map((p) => p.slice(0, p.lastIndexOf('/') + 1)))];
  return [
    rowOf('core', 'core', statusesOf(paths)),
    ...folders.flatMap((folder) => {
      const inside = paths.filter((p) => p.slice(0, p.lastIndexOf('/') + 1) === folder);
      return [rowOf(folder || './', 'folder', statusesOf(inside)), ...inside.map((p) => rowOf(p, 'file', statusesOf([p])))];
    }),
  ];
}

const pct = (n: number) => (Number.isNaN(n) ? '   n/a' : `${n.toFixed(1).padStart(5)}%`);

/** The table, within 100 columns, and the verdict lines. */
export function formatScore(rows: ReadonlyArray<ScoreRow>): string {
  const width = Math.min(52, Math.max(...rows.map((r) => r.name.length)));
  const cut = (s: string) => (s.length > width ? `…${s.slice(s.length - width + 1)}` : s.padEnd(width));
  const head = `${'where'.padEnd(width)}  killed  surv  nocov  tmout   score  covered  target`;
  const lines = rows.map((r) => {
    const mark = r.kind === 'folder' ? '' : r.meets ? `>=${r.target}% ok` : `>=${r.target}% BELOW`;
    return `${cut(r.name)}  ${String(r.killed).padStart(6)}  ${String(r.survived).padStart(4)}  ${String(r.noCoverage).padStart(5)}  ${String(r.timeout).padStart(5)}  ${pct(r.score)}  ${pct(r.covered)}   ${mark}`;
  });
  const core = rows.find((r) => r.kind === 'core')!;
  const below = rows.filter((r) => r.kind === 'file' && !r.meets);
  const verdict = [
    `core: ${pct(core.score).trim()} of ${core.killed + core.timeout + core.survived + core.noCoverage} valid mutants detected (target >= ${CORE_TARGET}%): ${core.meets ? 'met' : 'NOT met'}`,
    `files: ${below.length === 0 ? `every file >= ${FILE_TARGET}%` : `${below.length} below ${FILE_TARGET}%: ${below.map((r) => r.name).join(', ')}`}`,
  ];
  return [head, ...lines, '', ...verdict].join('\n');
}

/** Whether the report meets both targets. */
export function meetsTargets(rows: ReadonlyArray<ScoreRow>): boolean {
  return rows.every((r) => r.kind === 'folder' || r.meets);
}
