/**
 * What `gmem explore` prints: the verdict table (one row per setting with
 * its states, transitions, depth, broken invariants and how they compare
 * with the known defects and policies), per setting every invariant held
 * or broken with its counterexample's files and replay, and the same as
 * JSON.
 */
import { INVARIANT_NAMES } from '../../../machines/invariants';
import type { SettingReport } from '../../explore/run';
import { scopeFlags } from '../../explore/scope-flags';
import { findingKey } from '../../explore/search';

function verdictCells(r: SettingReport): string {
  const broken = r.result.findings.map((f) => `${f.invariant}${f.defect ? ` ${f.defect}` : ''} (${f.steps.length})`);
  return broken.length ? `BROKEN ${broken.join(', ')}` : 'all hold in scope';
}

function expectation(r: SettingReport): string {
  if (r.unexpected.length) return `UNEXPECTED ${r.unexpected.join(', ')}`;
  if (r.counterexamples.some((c) => !c.reproduced)) return 'NOT REPRODUCED by replay';
  if (r.missing.length) return `as known, but ${r.missing.map((m) => `${m.invariant} [${m.because}]`).join(', ')} not reached in scope`;
  return r.expected.length ? `as known (${[...new Set(r.expected.map((e) => e.because))].join('; ')})` : 'as known (none)';
}

function table(header: string[], rows: string[][], numeric: number[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (numeric.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function renderSummary(reports: SettingReport[], wallMs: number): string {
  const rows = reports.map((r) => [r.name, r.result.states.toLocaleString('en-US'), r.result.transitions.toLocaleString('en-US'), String(r.result.depthReached), verdictCells(r), expectation(r)]);
  const totals = reports.reduce((t, r) => ({ states: t.states + r.result.states, transitions: t.transitions + r.result.transitions }), { states: 0, transitions: 0 });
  const scope = reports[0]?.result.scope;
  return [
    `Exhaustive exploration${scope ? ` (${scopeFlags(scope)})` : ''}: verdicts per setting (shortest counterexample length in steps)`,
    '',
    ...table(['setting', 'states', 'transitions', 'depth', 'verdict', 'against the known defects and policies'], rows, [1, 2, 3]),
    '',
    `${totals.states.toLocaleString('en-US')} states, ${totals.transitions.toLocaleString('en-US')} transitions in ${(wallMs / 1000).toFixed(1)} s (${Math.round(totals.states / Math.max(0.001, wallMs / 1000)).toLocaleString('en-US')} states/s).`,
  ].join('\n');
}

export function renderReports(reports: SettingReport[], wallMs: number): string {
  const out = [renderSummary(reports, wallMs), ''];
  for (const r of reports) {
    out.push(`${r.name}: ${r.result.states.toLocaleString('en-US')} states, ${r.result.transitions.toLocaleString('en-US')} transitions, depth ${r.result.depthReached}${r.result.exhausted ? ' (every reachable state)' : ''}, ${(r.result.wallMs / 1000).toFixed(1)} s`);
    for (const inv of [...INVARIANT_NAMES, 'CRASH' as const]) {
      const found = r.counterexamples.filter((x) => x.finding.invariant === inv);
      if (!found.length && inv !== 'CRASH') out.push(`  ${inv.padEnd(6)} holds in scope`);
      for (const c of found) {
        const files = r.files[findingKey(inv, c.finding.defect)];
        out.push(`  ${inv.padEnd(6)} BROKEN${c.finding.defect ? ` (${c.finding.defect})` : ''} in ${c.finding.steps.length} steps${files ? `: ${files.trace} (ITF: ${files.itf})` : ''}; replay: ${c.replay}`);
      }
    }
  }
  return out.join('\n');
}

export function toJson(reports: SettingReport[], wallMs: number): object {
  const totals = reports.reduce((t, r) => ({ states: t.states + r.result.states, transitions: t.transitions + r.result.transitions }), { states: 0, transitions: 0 });
  return {
    scope: reports[0]?.result.scope,
    settings: reports.map((r) => ({
      setting: r.result.setting,
      name: r.name,
      states: r.result.states,
      transitions: r.result.transitions,
      depthReached: r.result.depthReached,
      exhausted: r.result.exhausted,
      wallMs: r.result.wallMs,
      statesPerSecond: r.result.statesPerSecond,
      ...(r.result.shard ? { shard: r.result.shard } : {}),
      invariants: Object.fromEntries(
        [...INVARIANT_NAMES, ...(r.counterexamples.some((c) => c.finding.invariant === 'CRASH') ? ['CRASH' as const] : [])].map((inv) => {
          const found = r.counterexamples.filter((x) => x.finding.invariant === inv);
          if (!found.length) return [inv, { verdict: 'holds in scope' }];
          const shortest = found.reduce((a, b) => (b.finding.steps.length < a.finding.steps.length ? b : a));
          return [
            inv,
            {
              verdict: 'BROKEN',
              length: shortest.finding.steps.length,
              reproduced: found.every((c) => c.reproduced),
              findings: found.map((c) => ({ ...(c.finding.defect ? { defect: c.finding.defect } : {}), length: c.finding.steps.length, reproduced: c.reproduced, ...(r.files[findingKey(inv, c.finding.defect)] ?? {}) })),
            },
          ];
        }),
      ),
      unexpected: r.unexpected,
      missing: r.missing,
    })),
    states: totals.states,
    transitions: totals.transitions,
    wallMs,
    statesPerSecond: Math.round(totals.states / Math.max(0.001, wallMs / 1000)),
  };
}
