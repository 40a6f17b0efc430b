/**
 * What `gmem explore` prints: the verdict table (one row per setting with
 * its states, transitions, depth, broken invariants and how they compare
 * with the known defects and policies), per setting every invariant held
 * or broken with its counterexample's files and replay, and the same as
 * JSON.
 */
import { KNOWN_DEFECTS } from '../../../machines/expectations';
import type { InvariantName } from '../../../machines/invariants';
import { INVARIANT_NAMES, INVARIANTS } from '../../../machines/invariants';
import { COLUMNS, fitLine } from './fit-width';
import type { SettingReport } from '../../explore/run';
import { scopeFlags } from '../../explore/scope-flags';
import type { ExploreResult } from '../../explore/search';
import { findingKey } from '../../explore/search';
import { settingName } from '../../explore/settings';

function verdictCells(result: ExploreResult): string {
  const broken = result.findings.map((f) => `${f.invariant}${f.defect ? ` ${f.defect}` : ''} (${f.steps.length})`);
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

/** `text` cut at a word to one line of `width` columns. */
function oneLine(text: string, width = COLUMNS): string {
  if (text.length <= width) return text;
  const cut = text.lastIndexOf(' ', width - 4);
  return `${text.slice(0, cut > 0 ? cut : width - 4)} ...`;
}

/**
 * What each K-n and INV-n the lines name is, one line each: a known defect's
 * invariant and mechanism (its first clause), an invariant's name and
 * statement (its first clause).
 */
export function legend(lines: ReadonlyArray<string>): string[] {
  const text = lines.join('\n');
  const named = (re: RegExp) => new Set([...text.matchAll(re)].map((m) => m[0]));
  const defects = named(/\bK\d+\b/g);
  const invariants = named(/\bINV-\d+\b/g);
  const firstClause = (s: string) => s.split(/: |; | \(/)[0]!;
  const [name, statement] = [(s: string) => s.split(': ')[0]!, (s: string) => s.slice(s.indexOf(': ') + 2)];
  return [
    ...KNOWN_DEFECTS.filter((d) => defects.has(d.id)).map((d) => oneLine(`  ${d.id.padEnd(6)} ${`${d.invariant}:`.padEnd(7)} ${firstClause(d.scenario)}`)),
    ...INVARIANT_NAMES.filter((inv) => invariants.has(inv)).map((inv) => oneLine(`  ${inv.padEnd(6)} ${name(INVARIANTS[inv as InvariantName])}: ${firstClause(statement(INVARIANTS[inv as InvariantName]))}`)),
  ];
}

/**
 * One line per setting with its counts, the next with its verdict against
 * the known defects and policies (wrapped to 100 columns), then a legend of
 * the codes named.
 */
export function renderSummary(reports: SettingReport[], wallMs: number): string {
  const rows = reports.map((r) => [r.name, r.result.states.toLocaleString('en-US'), r.result.transitions.toLocaleString('en-US'), String(r.result.depthReached)]);
  const [header, rule, ...lines] = table(['setting', 'states', 'transitions', 'depth'], rows, [1, 2, 3]);
  const body = lines.flatMap((line, i) => [line, fitLine(`  ${verdictCells(reports[i]!.result)}: ${expectation(reports[i]!)}`)]);
  const totals = reports.reduce((t, r) => ({ states: t.states + r.result.states, transitions: t.transitions + r.result.transitions }), { states: 0, transitions: 0 });
  const scope = reports[0]?.result.scope;
  const codes = legend(body);
  return [
    fitLine(`Exhaustive exploration${scope ? ` (${scopeFlags(scope)})` : ''}: verdicts per setting (shortest counterexample length in steps)`),
    '',
    header!,
    rule!,
    ...body,
    '',
    `${totals.states.toLocaleString('en-US')} states, ${totals.transitions.toLocaleString('en-US')} transitions in ${(wallMs / 1000).toFixed(1)} s (${Math.round(totals.states / Math.max(0.001, wallMs / 1000)).toLocaleString('en-US')} states/s).`,
    ...(codes.length ? ['', 'Known defects (K-n, docs/DOMAIN.md 7.3) and invariants (INV-n) named above:', ...codes] : []),
  ].join('\n');
}

export function renderReports(reports: SettingReport[], wallMs: number): string {
  const out = [renderSummary(reports, wallMs), ''];
  for (const r of reports) {
    out.push(`${r.name}: ${r.result.states.toLocaleString('en-US')} states, ${r.result.transitions.toLocaleString('en-US')} transitions, depth ${r.result.depthReached}${r.result.exhausted ? ' (every reachable state)' : ''}, ${(r.result.wallMs / 1000).toFixed(1)} s`);
    const fp = r.result.fingerprinted;
    if (fp) out.push(`  states past ${fp.after.toLocaleString('en-US')} kept as 53-bit fingerprints: odds that two collided (a state missed) ${fp.collisionOdds.toExponential(1)}`);
    if (r.result.spilledStates) out.push(`  frontier: up to ${r.result.spilledStates.toLocaleString('en-US')} states of a level held in a temporary file`);
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
      ...(r.result.fingerprinted ? { fingerprinted: r.result.fingerprinted } : {}),
      ...(r.result.spilledStates ? { spilledStates: r.result.spilledStates } : {}),
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

/**
 * Without a terminal (a CI log), one line per finished setting as the walk
 * prints one per row: its counts, its verdict, its time. On a terminal the
 * progress bar says it instead.
 */
export function settingLines(stream: NodeJS.WriteStream): ((result: ExploreResult, done: number, total: number) => void) | undefined {
  if (stream.isTTY) return undefined;
  return (result, done, total) =>
    stream.write(`${oneLine(`[${done}/${total}] ${settingName(result.setting)}: ${result.states.toLocaleString('en-US')} states, depth ${result.depthReached}, ${(result.wallMs / 1000).toFixed(1)} s, ${verdictCells(result)}`)}\n`);
}
