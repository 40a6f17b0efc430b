/**
 * Rendering of walk results for the terminal: the table of rows (grouped by
 * use case or walk, each setting with its paths, steps, time and result),
 * the coverage summary, failures as step lists, one line per finished row
 * when there is no terminal for a progress bar (a CI log is not silent for
 * 30 s), a path as one line. Everything fits 100 columns.
 */
import { opLabel } from '../../../machines/block.plan';
import { COLUMNS, fitWidth } from './fit-width';
import type { WalkPath } from '../../walk/block-walk';
import type { CoverageKind } from '../../walk/coverage';
import type { MachinePath } from '../../walk/machine-walks';
import type { WalkRow } from '../../walk/run-walks';

/** A path as one line: its kind and its operations (block) or events (range, folio). */
export function pathName(path: WalkPath | MachinePath): string {
  if ('machine' in path) return `${path.kind}: ${path.events.map((e) => e.label).join(', ') || '(start)'} [${JSON.stringify(path.input).replace(/"/g, '')}]`;
  return `${path.label}: ${path.ops.map(opLabel).join(', ')}`;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const result = (r: WalkRow) => (r.failed ? `FAIL (${r.failed})` : r.paths ? 'pass' : 'NO PATHS');

/** Without a TTY: one line per finished row, `[3/45] group (setting): N paths, pass, 1.2 s`. */
export function rowLines(stream: NodeJS.WriteStream): ((row: WalkRow, done: number, total: number) => void) | undefined {
  if (stream.isTTY) return undefined;
  // One line each, as a log reads them: the row's name gives way, not its result.
  return (row, done, total) => {
    const prefix = `[${done}/${total}] `;
    const suffix = `: ${row.paths} paths, ${result(row)}, ${seconds(row.ms)}`;
    const name = `${row.group} (${row.setting})`;
    const room = COLUMNS - prefix.length - suffix.length;
    stream.write(`${prefix}${name.length <= room ? name : `${name.slice(0, Math.max(0, room - 3))}...`}${suffix}\n`);
  };
}

export function renderCoverage(coverage: ReadonlyArray<CoverageKind>, listUncovered = true): string {
  const w = Math.max(...coverage.map((k) => k.kind.length));
  const lines = ['Coverage:'];
  for (const k of coverage) {
    const pct = k.total === 0 ? 100 : (100 * k.covered) / k.total;
    lines.push(`  ${k.kind.padEnd(w)}  ${String(k.covered).padStart(6)}/${String(k.total).padEnd(6)} ${pct === 100 ? '100%' : `${pct.toFixed(1)}%`}`);
    if (listUncovered) for (const item of k.uncovered.slice(0, 50)) lines.push(`      uncovered: ${item}`);
    if (listUncovered && k.uncovered.length > 50) lines.push(`      ... and ${k.uncovered.length - 50} more`);
  }
  return fitWidth(lines.join('\n'));
}

export function renderRows(rows: ReadonlyArray<WalkRow>): string {
  const cells = rows.map((r) => [r.setting, String(r.paths), String(r.steps), seconds(r.ms), result(r)]);
  const header = ['use case / walk, setting', 'paths', 'steps', 'time', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length + (i === 0 ? 2 : 0))));
  widths[0] = Math.min(widths[0]!, 100 - widths.slice(1).reduce((a, b) => a + b + 2, 0) - 2);
  const line = (c: string[]) => c.map((x, i) => (i >= 1 && i <= 3 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w)))];
  let group = '';
  rows.forEach((r, i) => {
    if (r.group !== group) out.push((group = r.group));
    out.push(line([`  ${cells[i]![0]}`, ...cells[i]!.slice(1)]));
  });
  return fitWidth(out.join('\n'));
}

export interface FailureView {
  step: number;
  message: string;
  story: string[];
  group: string;
  setting: string;
  trace?: string | null;
}

export function renderWalk(report: { rows: ReadonlyArray<WalkRow>; failures: ReadonlyArray<FailureView>; coverage: ReadonlyArray<CoverageKind> }, wallMs: number): string {
  const totals = report.rows.reduce((t, r) => ({ paths: t.paths + r.paths, steps: t.steps + r.steps }), { paths: 0, steps: 0 });
  const out = [renderRows(report.rows), '', `${totals.paths} paths, ${totals.steps} steps, ${report.failures.length} failed.`, ''];
  for (const f of report.failures.slice(0, 5)) {
    out.push(`FAIL ${f.group} (${f.setting}) at step ${f.step}: ${f.message}`, ...f.story.map((s) => `    ${s}`));
    if (f.trace) out.push(`  replay it: npx gmem replay ${f.trace}`);
    out.push('');
  }
  if (report.failures.length > 5) out.push(`... and ${report.failures.length - 5} more failures (gmem walk --json lists them all)`, '');
  out.push(renderCoverage(report.coverage), '', `Wall time: ${seconds(wallMs)}`);
  return fitWidth(out.join('\n'));
}
