/**
 * The machine tables as `gmem tables` prints them: the states with their
 * descriptions (for the block, the legend of its labels), then each table a
 * state at a time, one line per event with its outcome.
 */
import type { MachineTables } from './machine-tables';
import { formatOutcome } from './machine-tables';

export function renderTables(t: MachineTables): string {
  const lines = [`== ${t.machine} machine ==`, t.description, '', t.machine === 'block' ? 'Legend of the state labels:' : `States (${t.states.length}):`];
  const w = Math.max(...t.states.map((s) => s.state.length));
  for (const s of t.states) lines.push(`  ${s.state.padEnd(w)}  ${s.description}`);
  for (const table of t.tables) {
    lines.push('', `Table, ${table.title}. "=" accepted, unchanged; an errno: refused; "→" the next state.`);
    for (const row of table.rows) {
      lines.push(`  ${row.state}`);
      const ew = Math.max(...row.outcomes.map((o) => o.event.length));
      for (const o of row.outcomes) lines.push(`      ${o.event.padEnd(ew)}  ${formatOutcome(o.outcome)}`);
    }
  }
  return lines.join('\n');
}
