/**
 * The specification as data (`gmem spec --json`): what docs/SPEC.md says,
 * for tools rather than readers.
 */
import { POLICY_NOTES } from '../../../machines/policy';
import { PROFILE_FIELDS, VARIANT_PROFILES, VARIANT_SOURCES, VARIANTS } from '../../../machines/variant';
import { INVARIANTS } from '../../../machines/invariants';
import { policyDifferences, variantDifferences } from '../draw/differences';
import { diagramModel } from '../draw/machine-diagrams';
import { citationsOf } from '../draw/machine-model';
import { blockTables, folioTables, rangeTables } from './machine-tables';

/** The specification as data: every machine's model and tables, the invariants, variants, policies and their differences. */
export function specData() {
  return {
    machines: (['range', 'folio', 'block'] as const).map((name) => ({ model: diagramModel(name), tables: name === 'range' ? rangeTables() : name === 'folio' ? folioTables() : blockTables(2) })),
    invariants: Object.entries(INVARIANTS).map(([name, gloss]) => ({ name, gloss, citations: citationsOf(gloss) })),
    variants: VARIANTS.map((name) => ({ name, profile: VARIANT_PROFILES[name], sources: VARIANT_SOURCES[name], citations: citationsOf(`${VARIANT_PROFILES[name].tree} ${VARIANT_SOURCES[name]}`) })),
    profileFields: PROFILE_FIELDS,
    policies: Object.entries(POLICY_NOTES).map(([name, note]) => ({ name, ...note })),
    variantDifferences: (({ columns, rows }) => ({ columns, rows: rows.map((r) => ({ probe: r.probe.name, question: r.probe.question, answers: r.answers })) }))(variantDifferences()),
    policyDifferences: policyDifferences().map((d) => ({ policy: d.policy, columns: d.columns, rows: d.rows.map((r) => ({ probe: r.probe.name, question: r.probe.question, answers: r.answers })) })),
  };
}
