/**
 * Rendering of walk results for the terminal: the table of groups, the
 * coverage summary, failures as step lists, and a progress bar on a TTY.
 */
import type { CoverageKind } from '../walk/coverage';
import type { WalkReport } from '../walk/run-walks';

export function progressBar(stream: NodeJS.WriteStream): ((done: number, total: number, label: string) => void) | undefined {
  if (!stream.isTTY) return undefined;
  return (done, total, label) => {
    const width = 30;
    const filled = Math.round((done / Math.max(1, total)) * width);
    const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`;
    stream.write(`\r${text.slice(0, (stream.columns ?? 100) - 1).padEnd((stream.columns ?? 100) - 1)}`);
    if (done === total) stream.write('\r'.padEnd(stream.columns ?? 100) + '\r');
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
  return lines.join('\n');
}

export function renderWalk(report: WalkReport, wallMs: number): string {
  const header = ['use case / walk', 'setting', 'paths', 'steps', 'result'];
  const rows = report.rows.map((r) => [r.group, r.setting, String(r.paths), String(r.steps), r.failed ? `FAIL (${r.failed})` : r.paths ? 'pass' : 'NO PATHS']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i <= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const totals = report.rows.reduce((t, r) => ({ paths: t.paths + r.paths, steps: t.steps + r.steps }), { paths: 0, steps: 0 });
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', `${totals.paths} paths, ${totals.steps} steps, ${report.failures.length} failed.`, ''];
  for (const f of report.failures.slice(0, 5)) {
    out.push(`FAIL at step ${f.step}: ${f.message}`, ...f.story.map((s) => `    ${s}`));
    if ('trace' in f) out.push(`  replay it: npx gmem replay ${report.traces[report.failures.indexOf(f)] ?? '(not written)'}`);
    out.push('');
  }
  out.push(renderCoverage(report.coverage), '', `Wall time: ${(wallMs / 1000).toFixed(1)} s`);
  return out.join('\n');
}
