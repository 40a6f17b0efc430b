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
import { inputsDigest, VERDICT_RESULTS, VERDICT_TRACES, VERDICTS_FILE } from '../src/explore/verdicts';
import { renderVerdicts, withoutTimings } from '../src/present/verdicts/verdicts-document';
import { report, runSettings } from '../src/explore/run';
import type { ExploreResult } from '../src/explore/search';
import { policyAlternatives, settingName, START_SCOPE, variantSettings } from '../src/explore/settings';
import { loadTrace, runTrace } from '../src/trace/replay';
import { POLICY_BREAKS, expectedBreaks } from '../machines/expectations';

const doc = readFileSync(VERDICTS_FILE, 'utf8');
const results = JSON.parse(readFileSync(VERDICT_RESULTS, 'utf8')) as ExploreResult[];
const byName = new Map(results.map((r) => [settingName(r.setting), r]));
const broken = (name: string) => new Set(byName.get(name)!.findings.map((f) => (f.defect ? `${f.invariant} ${f.defect}` : f.invariant)));
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

it('docs/VERDICTS.md was generated from the sources as they are now (else run `npx gmem verdicts`)', () => {
  expect(doc).toContain(`digest \`${inputsDigest()}\``);
});

it('docs/VERDICTS.md is what `gmem verdicts` renders from its results (timings aside)', () => {
  expect(withoutTimings(doc)).toBe(withoutTimings(renderVerdicts(results.map((r) => report(r)), 0)));
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
  const findings = doc.split('\n## Kernel trees and VM types')[1]!.split(/\n\*\*(?=[a-z0-9-]+ \/ )/).slice(1);
  expect(findings.length).toBe(variantSettings().reduce((n, s) => n + byName.get(settingName(s))!.findings.length, 0));
  for (const f of findings) expect(f).toMatch(/\nKernel selftest: (`gmem_[a-z0-9_]+\.c`, written by `npx gmem selftest docs\/verdicts\/[^`]+\.trace\.json -o OUTDIR` \(docs\/SELFTESTS\.md\)|refused at `\$\.[^`]+` \w+: [^\n]+)\.\n/);
});
