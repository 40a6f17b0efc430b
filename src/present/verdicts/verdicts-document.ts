/**
 * docs/VERDICTS.md: the deck's four questions with each alternative's
 * verdict and shortest counterexample drawn as block pictures; every
 * variant's and VM type's broken invariants against the known defects, each
 * with the kernel selftest `gmem selftest` makes of it; the table of scopes.
 * The invariants and known defects are defined, with their sources linked as
 * SPEC.md links them, before anything names them. Timings are not in it (the
 * committed document changes only when a result does): `gmem verdicts`
 * prints them (verdictTimings).
 */
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { DEFAULT_POLICY, POLICY_NOTES } from '../../../machines/policy';
import type { Policy } from '../../../machines/policy';
import { INVARIANTS } from '../../../machines/invariants';
import type { InvariantName } from '../../../machines/invariants';
import { KNOWN_DEFECTS } from '../../../machines/expectations';
import type { Counterexample } from '../../explore/counterexample';
import { scopeText as scopeWords, slug } from '../../explore/counterexample';
import type { SettingReport } from '../../explore/run';
import { counterexampleName } from '../../explore/run';
import { scopeFlags } from '../../explore/scope-flags';
import { findingKey } from '../../explore/search';
import { CROSS_BLOCK_SCOPE, crossBlockSettings, policyAlternatives, POLICY_BASE, POLICY_KEYS, scopeNameOf, settingName, START_SCOPE, variantSettings } from '../../explore/settings';
import { inputsDigest, VERDICT_INPUTS, verdictTraceDir } from '../../explore/verdicts';
import { linkCitations } from '../spec/citation-links';
import { INVARIANT_SOURCES } from '../spec/invariant-sources';
import { generateSelftests } from '../../selftest/generate';
import { PACKAGE_ROOT } from '../../package-root';

const ROOT = PACKAGE_ROOT;

/** The kernel's answer to each question and where it is written (docs/SOURCES.md tags). */
const KERNEL_DECISION: Record<keyof Policy, string> = {
  split: 'eager: a to-shared conversion splits the huge folio at once (S-V2c `kvm_gmem_convert_range`, S-W `kvm_gmem_convert`)',
  afterTruncate: 'keep: truncation never changes shareability (S-IPt `truncate`, S-V2t test 7)',
  restore: 'allocator-wrapper: late sub-folios return through the wrapper and the merge worker (S-V2h, S-W)',
  truncateWhilePinned: 'eagain: punching a pinned split block is refused (S-V2c, S-W, S-39)',
};

function rel(file: string): string {
  return relative(join(ROOT, 'docs'), file).split('\\').join('/');
}

/** Where `gmem verdicts` writes a counterexample's trace (the same path whether or not it wrote it in this run). */
function traceFile(r: SettingReport, c: Counterexample): string {
  return join(verdictTraceDir(r.result.scope), slug(r.result.setting), `${counterexampleName(c.finding)}.trace.json`);
}

/**
 * What `gmem selftest` makes of a counterexample's trace: the C file it
 * writes (to run on a kernel with the series, docs/SELFTESTS.md), or
 * the step it refuses and why.
 */
export function selftestLine(file: string): string {
  const [o] = generateSelftests([file], undefined);
  if (!o) return '';
  if (o.status === 'written') return `Kernel selftest: \`${o.fileName}.c\`, written by \`npx gmem selftest ${relative(ROOT, file)} -o OUTDIR\` (docs/SELFTESTS.md).`;
  if (o.status === 'refused') return `Kernel selftest: refused at \`${o.refusal.path}\` ${o.refusal.what}: ${o.refusal.reason}.`;
  return `Kernel selftest: the trace is invalid (${o.message}).`;
}

function drawCounterexample(c: Counterexample, file: string, selftest = false): string[] {
  const out = [`Trace: [${rel(file)}](${rel(file)}) (${c.finding.steps.length} steps; replay: ${c.replay})`, ''];
  if (selftest) out.push(selftestLine(file), '');
  out.push('```');
  c.pictures.forEach((p, i) => {
    out.push(`${String(i).padStart(2)}. ${p.step}  ->  ${p.outcome}${p.violations.length ? `   BREAKS ${p.violations.join(', ')}` : ''}`);
    // What the simulator's check said, so the break can be read without replaying it.
    p.details.forEach((d) => out.push(`      ${d}`));
    p.blocks.forEach((b, k) => out.push(`      block ${k}: ${b}`));
  });
  out.push('```', '');
  return out;
}

/**
 * A policy value's verdict: the invariants it breaks itself (steps that do not
 * break them under the kernel decision), then what it shares with the kernel
 * decision (the variant's known defects) in brackets.
 */
const keyOf = (c: Counterexample) => findingKey(c.finding.invariant, c.finding.defect);
const label = (c: Counterexample) => `${c.finding.invariant}${c.finding.defect ? ` (${c.finding.defect})` : ''}`;

function verdictOf(r: SettingReport): string {
  const own = r.own ?? new Set<string>();
  // A known defect the alternative reaches by other steps is still the variant's, not the policy's.
  const isOwn = (c: Counterexample) => own.has(keyOf(c)) && !c.finding.defect;
  const mine = r.counterexamples.filter(isOwn);
  const shared = r.counterexamples.filter((c) => !isOwn(c)).map((c) => label(c));
  const parts = mine.length ? [`breaks ${mine.map((c) => `${label(c)} (${c.finding.steps.length} steps)`).join(', ')}`] : ['holds'];
  if (shared.length) parts.push(`(the variant's known defects aside: ${shared.join(', ')})`);
  return parts.join(' ');
}

/** One line per invariant and per known defect, with their sources linked: what the rest of the document names. */
function definitions(): string[] {
  const out = ['## Invariants', '', linkCitations('Checked after every transition (DOMAIN 9; machines/invariants.ts):'), ''];
  for (const [name, gloss] of Object.entries(INVARIANTS)) out.push(`- **${name}** ${gloss}. Sources: ${linkCitations(INVARIANT_SOURCES[name as InvariantName])}.`);
  out.push('', '## Known defects', '', linkCitations('The kernel trees\' defects each setting is compared against (DOMAIN 7.3; machines/expectations.ts): id, trees, the invariant it breaks, what happens, source.'), '');
  for (const d of KNOWN_DEFECTS) out.push(`- **${d.id}** (${d.variants.join(', ')}${d.inject ? ', with an injected split failure' : ''}) breaks ${d.invariant}: ${d.scenario}. Source: ${linkCitations(d.source)}.`);
  out.push('');
  return out;
}

export function renderVerdicts(reports: SettingReport[]): string {
  const startReports = reports.filter((r) => scopeNameOf(r.result.scope) === 'start');
  const crossReports = reports.filter((r) => scopeNameOf(r.result.scope) === 'cross-block');
  const byName = new Map(startReports.map((r) => [r.name, r]));
  const base = byName.get(settingName({ ...POLICY_BASE, policy: DEFAULT_POLICY }))!;
  const scope = scopeWords({ scope: START_SCOPE } as never);
  const out: string[] = [
    `# Verdicts: what holds within the scope ${scope}, and within two blocks`,
    '',
    `Generated by \`gmem verdicts\` from the sources (digest \`${inputsDigest()}\` of ${VERDICT_INPUTS.map((p) => `\`${p}\``).join(', ')});`,
    'do not edit: `npm test` fails when those sources change and this file is not regenerated.',
    '',
    `Scope of every setting but the [cross-block](#two-blocks-the-cross-block-scope) ones: \`${scopeFlags(START_SCOPE)}\` (${scope}; pageSize 16,`,
    `hugePageSize ${16 * START_SCOPE.pages}, a pool of ${START_SCOPE.pool ?? START_SCOPE.blocks} huge page(s)). From the empty machine the explorer tries every create`,
    'flag combination, then every operation of the trace contract with every argument in scope, breadth first,',
    'checking every invariant below on every transition; each counterexample below is a shortest one, and its trace replays',
    '(`npx gmem replay docs/verdicts/...`). "Holds" means: no state reached within this scope breaks it; nothing is',
    'claimed beyond it (the table of scopes says which searches reached every reachable state). How the state is encoded',
    'and why that is sound: [EXPLORER.md, "The state and what it abstracts"](EXPLORER.md#the-state-and-what-it-abstracts);',
    'why processes and written values may be renamed: ["Symmetry"](EXPLORER.md#symmetry).',
    '',
    ...definitions(),
    '## Pictures',
    '',
    'Pictures: `|SsPp t|` page shareability (upper case allocated, `t` truncating), `[HH]` huge folio, `[ss]` split,',
    '`[..]` none, `[ii]` held by the closed inode; `guest` per page `.` none, `4` a 4K mapping, `H` a huge mapping;',
    '`host` the process mapping the page (`*` several); `bytes` the first byte of each allocated page. A step that',
    'breaks an invariant is followed by what the simulator\'s check reported.',
    '',
    '## The deck\'s four questions (DOMAIN 8)',
    '',
    `Each alternative is explored on ${POLICY_BASE.variant} / ${POLICY_BASE.vmType} with the other policies at the kernel's value;`,
    'its verdict names the invariants it breaks itself: a shortest run of steps that breaks the invariant under the',
    'alternative and not under the kernel decision (the variant\'s known defects break some under both).',
    '',
  ];
  for (const key of POLICY_KEYS) {
    out.push(`### \`${key}\``, '', `Kernel decision: ${linkCitations(KERNEL_DECISION[key])}.`, '', `${POLICY_NOTES[key].changes}`, '', '| value | verdict |', '|---|---|');
    out.push(`| \`${DEFAULT_POLICY[key]}\` (kernel) | ${verdictOf(base)} |`);
    const alts = policyAlternatives().filter((a) => a.key === key);
    for (const a of alts) out.push(`| \`${a.value}\` | ${verdictOf(byName.get(settingName(a.setting))!)} |`);
    out.push('');
    for (const a of alts) {
      const r = byName.get(settingName(a.setting))!;
      for (const c of r.counterexamples.filter((x) => r.own?.has(keyOf(x)) && !x.finding.defect)) {
        out.push(`**\`${key}: ${a.value}\` breaks ${c.finding.invariant}** (${INVARIANTS[c.finding.invariant as keyof typeof INVARIANTS] ?? 'the simulator threw'}):`, '');
        out.push(...drawCounterexample(c, traceFile(r, c)));
      }
    }
  }

  out.push('## Kernel trees and VM types: the findings', '', 'Every variant under every VM type with the kernel\'s policies. "Known" is the [known defects](#known-defects) above;', 'a break not in it, or a listed defect not found, fails `npm test` (test/explore.verdicts.test.ts).', '');
  out.push('| variant | VM type | scope | states | broken in scope (shortest counterexample, steps) | known defects | check |', '|---|---|---|---:|---|---|---|');
  for (const s of variantSettings()) {
    const r = byName.get(settingName(s))!;
    out.push(`| ${s.variant} | ${s.vmType} | \`${scopeFlags(r.result.scope)}\` | ${r.result.states} | ${findingCells(r)} |`);
  }
  out.push('');
  for (const s of variantSettings()) {
    const r = byName.get(settingName(s))!;
    for (const c of r.counterexamples) {
      out.push(`**${s.variant} / ${s.vmType} breaks ${label(c)}** (${INVARIANTS[c.finding.invariant as keyof typeof INVARIANTS] ?? 'the simulator threw'}):`, '');
      out.push(...drawCounterexample(c, traceFile(r, c), true));
    }
  }
  out.push(...crossBlockSection(crossReports, byName));
  out.push('## Scopes', '', '| scope | setting | states | transitions | depth reached | every reachable state |', '|---|---|---:|---:|---:|---|');
  for (const r of reports) out.push(`| ${scopeNameOf(r.result.scope)} | ${r.name} | ${r.result.states} | ${r.result.transitions} | ${r.result.depthReached} | ${r.result.exhausted ? 'yes' : 'no (depth bound)'} |`);
  out.push('');
  return out.join('\n');
}

/** A finding table's row: what broke (shortest lengths), what is known, and whether the two agree. */
function findingCells(r: SettingReport): string {
  const broken = r.counterexamples.map((c) => `${label(c)} (${c.finding.steps.length})`).join(', ') || 'none';
  const known = r.expected.map((e) => `${e.invariant} ${e.because}`).join('; ') || 'none';
  const check = r.unexpected.length ? `UNEXPECTED ${r.unexpected.join(', ')}` : r.missing.length ? `MISSING ${r.missing.map((m) => `${m.invariant} ${m.because}`).join(', ')}` : 'as known';
  return `${broken} | ${known} | ${check}`;
}

/**
 * The cross-block scope: every kernel tree's findings with two blocks, and
 * the counterexample of each break the start scope did not reach (a defect
 * that needs the second block).
 */
function crossBlockSection(cross: SettingReport[], start: Map<string, SettingReport>): string[] {
  const words = scopeWords({ scope: CROSS_BLOCK_SCOPE } as never);
  const out = [
    '## Two blocks: the cross-block scope',
    '',
    `Scope: \`${scopeFlags(CROSS_BLOCK_SCOPE)}\` (${words}; \`gmem explore --scope cross-block\`), every kernel tree with its`,
    'kernel policies on the VM types it runs of sw-protected and tdx. A second block is where a conversion\'s work item can',
    'start after block 0 and span blocks: rfc-v2\'s failed split loses the mappings (K1) only when the item starts in',
    'block 1, since from block 0 its rollback never returns (K10). Known defects are judged for two blocks: K9 needs a',
    'third (an item from block 1 over a second block whose split fails), so its trace under test/traces pins it.',
    '',
    '| variant | VM type | states | broken in scope (shortest counterexample, steps) | known defects | check |',
    '|---|---|---:|---|---|---|',
  ];
  for (const s of crossBlockSettings()) {
    const r = cross.find((x) => x.name === settingName(s));
    if (r) out.push(`| ${s.variant} | ${s.vmType} | ${r.result.states} | ${findingCells(r)} |`);
  }
  out.push('');
  for (const r of cross) {
    const before = new Set(start.get(r.name)?.counterexamples.map(keyOf) ?? []);
    for (const c of r.counterexamples.filter((x) => !before.has(keyOf(x)))) {
      out.push(`**${r.result.setting.variant} / ${r.result.setting.vmType} breaks ${label(c)} with two blocks** (${INVARIANTS[c.finding.invariant as keyof typeof INVARIANTS] ?? 'the simulator threw'}; not reached in one block):`, '');
      out.push(...drawCounterexample(c, traceFile(r, c), true));
    }
  }
  return out;
}

/** Each setting's wall time, for `gmem verdicts` to print (the document leaves them out: they change on every run). */
export function verdictTimings(reports: SettingReport[], wallMs: number): string {
  const out = [`${(wallMs / 1000).toFixed(1)} s in all, the settings concurrently on ${availableParallelism()} worker threads:`];
  for (const r of reports) out.push(`  ${r.name}: ${(r.result.wallMs / 1000).toFixed(1)} s, ${r.result.statesPerSecond} states/s`);
  return out.join('\n');
}
