/**
 * The result file a walk leaves behind (default test-output/walk-result.json)
 * so `gmem coverage` reports without walking again: the rows, the failures,
 * the coverage with what is uncovered, the selection (--only, --shard) and a
 * fingerprint of the code walked. Coverage says when the code has changed
 * since (stale), and merges the results of the shards of one walk.
 */
import { PACKAGE_ROOT } from '../../package-root';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CoverageKind } from '../../walk/coverage';
import type { WalkFailure, WalkReport, WalkRow } from '../../walk/run-walks';
import type { WalkSelection } from '../../walk/selected-walk';
import { CommandFailure, InputError } from '../../input-error';
import { jsonErrorWhere } from '../../json-error';

export const RESULT_FORMAT = 'gmem-walk-result/1';
export const DEFAULT_RESULT = 'test-output/walk-result.json';

export interface WalkResultFailure {
  group: string;
  setting: string;
  step: number;
  message: string;
  story: string[];
  trace: string | null;
}

export interface WalkResult {
  format: typeof RESULT_FORMAT;
  writtenAt: string;
  fingerprint: string;
  only: string[];
  shard: { index: number; count: number } | null;
  wallMs: number;
  rows: WalkRow[];
  failures: WalkResultFailure[];
  coverage: CoverageKind[];
  complete: boolean;
}

function failureJson(f: WalkFailure) {
  return {
    group: f.group,
    setting: f.setting,
    useCase: f.group.startsWith('use case: ') ? f.group.slice('use case: '.length) : null,
    step: f.step,
    message: f.message,
    story: f.story,
    trace: f.traceFile ?? null,
  };
}

/** What the result file records of a walk just run. */
export function walkResultOf(sel: WalkSelection, report: WalkReport, wallMs: number): WalkResult {
  return {
    format: RESULT_FORMAT,
    writtenAt: new Date().toISOString(),
    fingerprint: codeFingerprint(),
    only: sel.only,
    shard: sel.shard ?? null,
    wallMs,
    rows: report.rows,
    failures: report.failures.map(failureJson),
    coverage: report.coverage,
    complete: report.complete,
  };
}

/** The result file to write: the default's folder is ours to create; a folder the person named must exist. */
export function resultFileToWrite(named: string | undefined): string {
  const path = named ?? DEFAULT_RESULT;
  if (path === DEFAULT_RESULT) mkdirSync(dirname(DEFAULT_RESULT), { recursive: true });
  return path;
}

/** A hash of the walked code's sources (machines/, src/): equal when the walk would be the same walk. */
export function codeFingerprint(root = PACKAGE_ROOT): string {
  const hash = createHash('sha256');
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.(ts|js|json)$/.test(entry.name)) hash.update(path.slice(root.length)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  for (const d of ['machines', 'src']) if (existsSync(join(root, d))) visit(join(root, d));
  return hash.digest('hex').slice(0, 16);
}

export function readWalkResult(file: string): WalkResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CommandFailure(`coverage: no walk result at ${file}: run \`gmem walk\` first (it writes one), or \`gmem coverage --fresh\``);
    }
    throw new InputError(`coverage: ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let data: Partial<WalkResult>;
  try {
    data = JSON.parse(text) as Partial<WalkResult>;
  } catch (err) {
    throw new InputError(`coverage: ${file}: not JSON (${jsonErrorWhere(text, err)})`);
  }
  if (data.format !== RESULT_FORMAT || !Array.isArray(data.coverage) || !Array.isArray(data.rows)) {
    throw new InputError(`coverage: ${file}: not a walk result (format must be "${RESULT_FORMAT}")`);
  }
  return data as WalkResult;
}

/**
 * One result from the shards of one walk: rows and failures joined, a kind's
 * item uncovered only when every shard left it uncovered. The shards must
 * come from the same selection and shard count; missing shards are named.
 */
export function mergeResults(results: ReadonlyArray<WalkResult>, files: ReadonlyArray<string>): WalkResult & { missingShards: number[] } {
  if (results.length === 1) return { ...results[0]!, missingShards: missing(results) };
  const first = results[0]!;
  results.forEach((r, i) => {
    const same = JSON.stringify(r.only) === JSON.stringify(first.only) && (r.shard?.count ?? 1) === (first.shard?.count ?? 1) && r.coverage.length === first.coverage.length;
    if (!same) throw new InputError(`coverage: ${files[i]} is not a shard of the same walk as ${files[0]} (different --only or --shard n)`);
  });
  const coverage = first.coverage.map((kind) => {
    const others = results.map((r) => r.coverage.find((k) => k.kind === kind.kind));
    if (others.some((k) => !k || k.total !== kind.total)) throw new InputError(`coverage: the shards disagree on what '${kind.kind}' covers: walked from different code?`);
    const uncovered = kind.uncovered.filter((item) => others.every((k) => k!.uncovered.includes(item)));
    return { kind: kind.kind, covered: kind.total - uncovered.length, total: kind.total, uncovered };
  });
  const merged: WalkResult = {
    ...first,
    shard: null,
    wallMs: Math.max(...results.map((r) => r.wallMs)),
    rows: results.flatMap((r) => r.rows),
    failures: results.flatMap((r) => r.failures),
    coverage,
    complete: coverage.every((k) => k.uncovered.length === 0),
  };
  return { ...merged, fingerprint: results.every((r) => r.fingerprint === first.fingerprint) ? first.fingerprint : 'mixed', missingShards: missing(results) };
}

function missing(results: ReadonlyArray<WalkResult>): number[] {
  const n = results[0]!.shard?.count;
  if (!n) return [];
  const have = new Set(results.map((r) => r.shard!.index));
  return [...Array(n).keys()].map((i) => i + 1).filter((i) => !have.has(i));
}
