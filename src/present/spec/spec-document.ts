/**
 * docs/SPEC.md, the reviewer's specification, generated from the machines,
 * their tables, the invariants module, the policies and the use-case
 * catalogue, so it is always what the code does. Every state and transition
 * appears with its description, its citations linked to their sections of
 * SOURCES.md; where the variants and the policies differ is measured by
 * probes run on the simulator (../draw/differences.ts).
 */
import type { AnyStateMachine } from 'xstate';
import { DECK_USE_CASES } from '../../../machines/usecases';
import { POLICY_NOTES } from '../../../machines/policy';
import { formatField, PROFILE_FIELDS, VARIANT_PROFILES, VARIANT_SOURCES, VARIANTS } from '../../../machines/variant';
import type { VariantProfile } from '../../../machines/variant';
import { opLabel } from '../../../machines/block.plan';
import { INVARIANTS } from '../../../machines/invariants';
import type { InvariantName } from '../../../machines/invariants';
import { policyDifferences, variantDifferences } from '../draw/differences';
import type { DifferenceTable } from '../draw/differences';
import type { MachineModel, ModelTransition } from '../draw/machine-model';
import { DIAGRAM_MACHINES, diagramModel } from '../draw/machine-diagrams';
import { toMermaid } from '../draw/mermaid';
import { USE_CASES, useCasePaths, useCaseSettings } from '../../walk/usecases';
import type { MachineTables } from './machine-tables';
import { blockTables, folioTables, formatOutcome, rangeTables } from './machine-tables';
import { citationLinks, githubSlug, linkCitations } from './citation-links';
import { INVARIANT_SOURCES } from './invariant-sources';

/** A table cell: one line, `|` escaped (GFM splits cells on it even inside code spans). */
const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string) => `\`${s}\``;

const cites = (text: string) => citationLinks(text).join(', ') || '(none)';

/** GitHub's heading anchors, repeats numbered. */
class Slugger {
  private seen = new Map<string, number>();
  slug(heading: string): string {
    const base = githubSlug(heading);
    const n = this.seen.get(base) ?? 0;
    this.seen.set(base, n + 1);
    return n ? `${base}-${n}` : base;
  }
}

interface Doc {
  lines: string[];
  toc: Array<{ level: number; title: string; anchor: string }>;
  slugger: Slugger;
}
function heading(doc: Doc, level: number, title: string, inToc = level <= 3) {
  const anchor = doc.slugger.slug(title);
  if (inToc) doc.toc.push({ level, title, anchor });
  doc.lines.push(`${'#'.repeat(level)} ${title}`, '');
}

function outcomeOf(t: ModelTransition): string {
  if (t.refusal) return `refused ${code(t.refusal)}`;
  if (t.to === undefined) return 'accepted, nothing changes';
  return `→ ${code(t.to || '(machine)')}`;
}

function transitionsSection(doc: Doc, model: MachineModel) {
  heading(doc, 3, `${model.machine}: states and transitions`);
  doc.lines.push('Every state, and every transition it defines in the order the guards are tried; a transition without a guard is taken when none before it applies.', '');
  for (const state of model.states) {
    const own = model.transitions.filter((t) => t.from === state.path);
    heading(doc, 4, code(state.path || model.machine), false);
    doc.lines.push(`${state.description}${state.repeat ? ` Drawn once for the ${state.repeat} page regions (pK).` : ''}`, '', `Sources: ${cites(state.description)}`, '');
    if (own.length === 0) continue;
    doc.lines.push('| event | guard | outcome | description | sources |', '|---|---|---|---|---|');
    for (const t of own) doc.lines.push(`| ${cell(code(t.event))} | ${t.guard ? cell(code(t.guard)) : ''} | ${cell(outcomeOf(t))} | ${cell(t.description)} | ${cites(t.description)} |`);
    doc.lines.push('');
  }
}

function tablesSection(doc: Doc, t: MachineTables) {
  for (const table of t.tables) {
    heading(doc, 3, `${t.machine}: ${table.title}`);
    doc.lines.push('`=` accepted, nothing changes; an errno: refused, nothing changes; `→` the next state. A cell that depends on policy names its condition.', '');
    for (const row of table.rows) {
      doc.lines.push(`**${code(row.state)}**`, '', '| event | outcome |', '|---|---|');
      for (const o of row.outcomes) doc.lines.push(`| ${cell(code(o.event))} | ${cell(formatOutcome(o.outcome))} |`);
      doc.lines.push('');
    }
  }
}

function machineSection(doc: Doc, t: MachineTables, machine: AnyStateMachine) {
  const model = diagramModel(t.machine);
  heading(doc, 2, `The ${t.machine} machine`);
  doc.lines.push(t.description, '', `Sources: ${cites(t.description)}`, '');
  doc.lines.push(`![The ${t.machine} machine, laid out by ELK](${t.machine}.svg)`, '', '```mermaid', toMermaid(machine), '```', '');
  if (t.machine === 'block') {
    heading(doc, 3, 'block: how a state is labelled');
    doc.lines.push('Each reachable state of the block table is named by the picture the kernel\'s `tools/testing/vma` tests would draw; every label names one state.', '', '| part | meaning |', '|---|---|');
    for (const s of t.states) doc.lines.push(`| ${cell(code(s.state))} | ${cell(s.description)} |`);
    doc.lines.push('');
  }
  transitionsSection(doc, model);
  tablesSection(doc, t);
}

function differenceTable(doc: Doc, table: DifferenceTable) {
  doc.lines.push(`| probe | question | ${table.columns.map((c) => cell(code(c))).join(' | ')} |`, `|---|---|${table.columns.map(() => '---').join('|')}|`);
  for (const r of table.rows) doc.lines.push(`| ${cell(r.probe.name)} | ${cell(r.probe.question)} | ${r.answers.map(cell).join(' | ')} |`);
  doc.lines.push('');
}

export function generateSpec(): string {
  const doc: Doc = { lines: [], toc: [], slugger: new Slugger() };
  doc.slugger.slug('gmem-model specification');
  doc.slugger.slug('Contents');
  machineSection(doc, rangeTables(), DIAGRAM_MACHINES['range']!());
  machineSection(doc, folioTables(), DIAGRAM_MACHINES['folio']!());
  machineSection(doc, blockTables(2), DIAGRAM_MACHINES['block']!());

  heading(doc, 2, 'Invariants');
  doc.lines.push('Checked after every step of every trace and every generated path.', '', '| invariant | gloss | sources |', '|---|---|---|');
  for (const [name, gloss] of Object.entries(INVARIANTS)) doc.lines.push(`| ${name} | ${cell(gloss)} | ${cell(linkCitations(INVARIANT_SOURCES[name as InvariantName]))} |`);
  doc.lines.push('');

  heading(doc, 2, 'Variants');
  doc.lines.push('The kernel trees the model replays, each as a profile of choices (machines/variant.ts); the plans, the folio machine and the simulator read these fields and nothing else about the tree.', '', '| variant | tree | sources |', '|---|---|---|');
  for (const name of VARIANTS) doc.lines.push(`| ${cell(code(name))} | ${cell(VARIANT_PROFILES[name].tree)} | ${cell(VARIANT_SOURCES[name])}: ${cites(`${VARIANT_PROFILES[name].tree} ${VARIANT_SOURCES[name]}`)} |`);
  doc.lines.push('');
  heading(doc, 3, 'The variants\' profiles');
  doc.lines.push('One row per profile field (each a choice on which at least two trees differ), one column per tree.', '');
  doc.lines.push(`| field | meaning | ${VARIANTS.map((v) => cell(code(v))).join(' | ')} |`, `|---|---|${VARIANTS.map(() => '---').join('|')}|`);
  for (const [field, note] of Object.entries(PROFILE_FIELDS) as Array<[Exclude<keyof VariantProfile, 'tree'>, { title: string; gloss: string }]>) {
    const values = VARIANTS.map((v) => formatField(VARIANT_PROFILES[v][field]));
    doc.lines.push(`| ${cell(note.title)} | ${cell(note.gloss)} | ${values.map(cell).join(' | ')} |`);
  }
  doc.lines.push('');
  heading(doc, 3, 'Where the variants differ');
  const noHugetlb = VARIANTS.filter((v) => !VARIANT_PROFILES[v].hugetlb).map(code).join(', ');
  doc.lines.push(`Measured, not written: each probe runs a few trace steps on the simulator under every variant (the kernel's policies, 2 MiB blocks of 4 KiB pages, a pool of 2 huge pages; ${noHugetlb} have no HugeTLB) and reads the answer through the simulator's public getters. Only probes whose answers differ are shown; \`(op: errno)\` means an earlier step of the probe already failed.`, '');
  differenceTable(doc, variantDifferences());

  heading(doc, 2, 'Policies');
  doc.lines.push('The first value is the kernel\'s decision and the default.', '', '| policy | values | what the alternative changes |', '|---|---|---|');
  for (const [name, note] of Object.entries(POLICY_NOTES)) doc.lines.push(`| ${cell(code(name))} | ${note.values.map((v) => cell(code(v))).join(', ')} | ${cell(note.changes)} |`);
  doc.lines.push('');
  heading(doc, 3, 'Where the policies differ');
  doc.lines.push('The same probes, under `rfc-v2`, varying one policy at a time (the others the kernel\'s).', '');
  for (const d of policyDifferences()) {
    heading(doc, 4, code(d.policy), false);
    if (d.rows.length) differenceTable(doc, d);
    else doc.lines.push('No probe tells its values apart.', '');
  }

  heading(doc, 2, 'Use cases');
  heading(doc, 3, 'The deck\'s use cases on the range machine');
  doc.lines.push('| use case | the deck | events | reaches |', '|---|---|---|---|');
  for (const u of DECK_USE_CASES) doc.lines.push(`| ${u.name} | ${cell(u.deck)} | ${u.events.map((e) => e.type).join(', ') || '(none)'} | ${cell(code(u.to))} |`);
  doc.lines.push('');
  heading(doc, 3, 'The walk\'s catalogue and its generated paths');
  for (const u of USE_CASES) {
    doc.lines.push(`**${u.name}**: ${u.deck}`, '');
    for (const s of useCaseSettings(u)) {
      for (const p of useCasePaths(u, s)) doc.lines.push(`- ${s.variant}, ${s.vmType}: ${p.ops.map(opLabel).join(' → ')}`);
    }
    doc.lines.push('');
  }

  const head = [
    '# gmem-model specification',
    '',
    '<!-- Generated by `npx gmem spec -o docs/SPEC.md` from the machines, their tables, the invariants, the policies, the simulator and the use cases. Do not edit: a test fails when this file differs from what the code says. -->',
    '',
    'Source tags (`S-V2c`, ...) link to their entry in [SOURCES.md](SOURCES.md) (URL, path, functions); sections (`DOMAIN 4`) are in [DOMAIN.md](DOMAIN.md).',
    '',
    '## Contents',
    '',
    ...doc.toc.map((e) => `${'  '.repeat(e.level - 2)}- [${e.title}](#${e.anchor})`),
    '',
  ];
  return `${[...head, ...doc.lines].join('\n').trimEnd()}\n`;
}
