/**
 * docs/VERDICTS.md is current and says what the explorer finds: it was
 * generated from the sources as they are now (digest), it is exactly what
 * `gmem verdicts` renders from its stored results, those results are what a
 * fresh search finds, every variant and VM type breaks exactly its known
 * defects, every policy alternative exactly what DOMAIN 8 says, and every
 * counterexample trace replays to its invariant.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Policy } from '../machines/policy';
import { inputsDigest, readVerdictResults, storedResult, VERDICT_RESULTS, VERDICT_TRACES, VERDICTS_FILE } from '../src/explore/verdicts';
import { renderVerdicts } from '../src/present/verdicts/verdicts-document';
import { INVARIANT_NAMES } from '../machines/invariants';
import { KNOWN_DEFECTS } from '../machines/expectations';
import { report, runSettings } from '../src/explore/run';
import type { ExploreResult } from '../src/explore/search';
import { CROSS_BLOCK_SCOPE, crossBlockSettings, policyAlternatives, scopeNameOf, settingName, START_SCOPE, variantSettings } from '../src/explore/settings';
import { loadTrace, runTrace } from '../src/trace/replay';
import { POLICY_BREAKS, expectedBreaks } from '../machines/expectations';

const doc = readFileSync(VERDICTS_FILE, 'utf8');
const results: ExploreResult[] = readVerdictResults();
const inScope = (name: string) => results.filter((r) => scopeNameOf(r.scope) === name);
const byName = new Map(inScope('start').map((r) => [settingName(r.setting), r]));
const crossByName = new Map(inScope('cross-block').map((r) => [settingName(r.setting), r]));
const broken = (name: string) => new Set(byName.get(name)!.findings.map((f) => (f.defect ? `${f.invariant} ${f.defect}` : f.invariant)));
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

it('docs/VERDICTS.md was generated from the sources as they are now (else run `npx gmem verdicts`)', () => {
  expect(doc).toContain(`digest \`${inputsDigest()}\``);
});

let rendered: string | undefined;
const renderedNow = () => (rendered ??= renderVerdicts(results.map((r) => report(r))));

it('docs/VERDICTS.md is what `gmem verdicts` renders from its results', () => {
  expect(doc).toBe(renderedNow());
});

it('regenerating writes the same committed files when only the timings, or where levels were held, differ', () => {
  // Two runs differ in their timings and in how much of a level went to disk (--frontier-states), nothing else: neither committed file may show them.
  const slower = results.map((r) => ({ ...r, wallMs: r.wallMs + 12_345, statesPerSecond: r.statesPerSecond + 7, spilledStates: 99 }));
  expect(renderVerdicts(slower.map((r) => report(r)))).toBe(renderedNow());
  expect(JSON.stringify(slower.map(storedResult))).toBe(JSON.stringify(results.map(storedResult)));
  expect(readFileSync(VERDICT_RESULTS, 'utf8')).not.toMatch(/"wallMs"|"statesPerSecond"/);
  expect(doc).not.toMatch(/\d s\b|wall time/);
});

it('docs/VERDICTS.md says what holds and within which scope, in its title', () => {
  expect(doc.split('\n')[0]).toMatch(/^# Verdicts: what holds within the scope \d+ block.*, and within two blocks$/);
});

it('docs/VERDICTS.md defines every invariant and known defect, with a linked source, before anything names it', () => {
  // The definitions may name one another (K1 names K10); nothing before them or after them names an undefined one.
  const start = doc.indexOf('\n## Invariants\n');
  const end = doc.indexOf('\n## ', doc.indexOf('\n## Known defects\n') + 1);
  const definitions = doc.slice(start, end).split('\n');
  for (const name of [...INVARIANT_NAMES, ...KNOWN_DEFECTS.map((d) => d.id)]) {
    const line = definitions.find((l) => l.startsWith(`- **${name}** `)) ?? '';
    expect({ name, defined: /Sources?: .*\]\((SOURCES|DOMAIN)\.md#/.test(line), namedBefore: new RegExp(`\\b${name}\\b`).test(doc.slice(0, start)) }).toEqual({ name, defined: true, namedBefore: false });
  }
});

it('docs/VERDICTS.md links every source tag outside code', () => {
  const prose = doc.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`]*`/g, '').replace(/\[[^\]]*\]\([^)]*\)/g, '');
  expect(prose.match(/\bS-(?!EPT\b)[A-Za-z0-9]+/g) ?? []).toEqual([]);
});

it("docs/VERDICTS.md prints under each counterexample's breaking step what the simulator reported", () => {
  const lines = doc.split('\n');
  const breaking = lines.flatMap((l, i) => (/ {3}BREAKS (INV-\d+(, )?)+$/.test(l) ? [i] : []));
  expect(breaking.length).toBeGreaterThan(10);
  for (const i of breaking) {
    const end = lines.findIndex((l, k) => k > i && /^( ?\d+\. |```)/.test(l));
    for (const inv of lines[i]!.split('BREAKS ')[1]!.split(', ')) expect({ step: lines[i], reported: lines.slice(i + 1, end).some((l) => l.startsWith(`      ${inv} at `)) }).toEqual({ step: lines[i], reported: true });
  }
});

it('the stored results are what a fresh search finds now', async () => {
  // The smallest setting that breaks something (a sample: every setting is searched by `gmem verdicts`).
  const setting = variantSettings()
    .filter((s) => expectedBreaks(s, START_SCOPE.blocks).length > 0)
    .sort((a, b) => byName.get(settingName(a))!.states - byName.get(settingName(b))!.states)[0]!;
  const [fresh] = await runSettings([setting], START_SCOPE);
  const stored = byName.get(settingName(setting))!;
  expect({ states: fresh!.result.states, transitions: fresh!.result.transitions, findings: fresh!.result.findings }).toEqual({
    states: stored.states,
    transitions: stored.transitions,
    findings: stored.findings,
  });
}, 60_000);

it.each(variantSettings().map((s) => [settingName(s), s] as const))('%s breaks exactly its known defects in scope', (name, setting) => {
  // Each known defect by its own mechanism (the violation names it), and nothing else.
  expect(sorted(broken(name))).toEqual(sorted(expectedBreaks(setting, START_SCOPE.blocks).map((e) => (e.defect ? `${e.invariant} ${e.defect}` : e.invariant))));
});

it('the results hold every setting of each scope once: the start scope\'s and the cross-block scope\'s', () => {
  expect(results.length).toBe(byName.size + crossByName.size);
  expect(sorted(byName.keys())).toEqual(sorted([...variantSettings(), ...policyAlternatives().map((a) => a.setting)].map(settingName)));
  expect(sorted(crossByName.keys())).toEqual(sorted(crossBlockSettings().map(settingName)));
});

it.each(crossBlockSettings().map((s) => [settingName(s), s] as const))('%s breaks exactly its known defects with two blocks', (name, setting) => {
  const found = new Set(crossByName.get(name)!.findings.map((f) => (f.defect ? `${f.invariant} ${f.defect}` : f.invariant)));
  expect(sorted(found)).toEqual(sorted(expectedBreaks(setting, CROSS_BLOCK_SCOPE.blocks).map((e) => (e.defect ? `${e.invariant} ${e.defect}` : e.invariant))));
});

it('the cross-block scope reaches a defect one block cannot: rfc-v2\'s K1, drawn in docs/VERDICTS.md', () => {
  const k1 = (r: ExploreResult | undefined) => r!.findings.some((f) => f.defect === 'K1');
  expect([k1(byName.get('rfc-v2 sw-protected kernel policies')), k1(crossByName.get('rfc-v2 sw-protected kernel policies'))]).toEqual([false, true]);
  expect(doc).toMatch(/\*\*rfc-v2 \/ sw-protected breaks INV-12 \(K1\) with two blocks\*\*/);
});

it.each(policyAlternatives().map((a) => [`${a.key}=${a.value}`, a] as const))('policy %s breaks exactly what DOMAIN 8 says, on steps the kernel decision survives', (_, alt) => {
  const r = byName.get(settingName(alt.setting))!;
  // Own breaks not tagged with a known defect: a defect the alternative reaches by other steps is still the variant's.
  const own = (r.ownFindings ?? []).filter((f) => !f.defect).map((f) => f.invariant);
  const documented = (POLICY_BREAKS[alt.key] as Record<string, readonly string[]>)[alt.value] ?? [];
  expect(sorted(own)).toEqual(sorted(documented));
  expect((alt.setting.policy as Policy)[alt.key]).toBe(alt.value);
});

it('every counterexample trace under docs/verdicts replays to its invariant', () => {
  const traces: string[] = [];
  const walk = (dir: string) => readdirSync(dir).forEach((e) => (statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : e.endsWith('.trace.json') && traces.push(join(dir, e))));
  walk(VERDICT_TRACES);
  expect(traces.length).toBe(results.reduce((n, r) => n + r.findings.length, 0));
  for (const file of traces) {
    const invariant = file.split('/').pop()!.replace('.trace.json', '').split('.')[0]!;
    const loaded = loadTrace(file);
    if (!loaded.ok) throw new Error(loaded.message);
    const r = runTrace(loaded.trace);
    if (r.pass) expect(r.excused.map((v) => v.invariant)).toContain(invariant);
    else expect(r.failure!.actual).toContain(`${invariant} violated`);
  }
});

it('docs/VERDICTS.md links every kernel finding to its generated selftest or says why the kernel cannot be driven through it', () => {
  const section = doc.split('\n## Kernel trees and VM types')[1]!.split('\n## Two blocks')[0]!;
  const findings = section.split(/\n\*\*(?=[a-z0-9-]+ \/ )/).slice(1);
  expect(findings.length).toBe(variantSettings().reduce((n, s) => n + byName.get(settingName(s))!.findings.length, 0));
  for (const f of findings) expect(f).toMatch(/\nKernel selftest: (`gmem_[a-z0-9_]+\.c`, written by `npx gmem selftest docs\/verdicts\/[^`]+\.trace\.json -o OUTDIR` \(docs\/SELFTESTS\.md\)|refused at `\$\.[^`]+` \w+: [^\n]+)\.\n/);
});
