/**
 * `npm run bench`: the performance targets, each measured in this one run
 * and printed against its target (S1-S5), then informative
 * figures. Timings are never asserted in unit tests; this is where they live.
 *
 * A registry: one line per entry below. `npm run bench -- S1 S4` runs only
 * the entries named. Exit status 1 when a target is not met.
 */
import type { BenchEntry, BenchRow } from './entry';
import { cliStartup } from './cli-entry';
import { runMapMicro } from './run-map-micro';
import { s1 } from './s1-sixteen-gib';
import { s2 } from './s2-long-trace';
import { s3 } from './s3-huge-file';
import { s4 } from './s4-npm-start';
import { s5 } from './s5-throughput';
import { viewerLoad } from './viewer-entry';
import { explore } from './explore-entry';

const ENTRIES: BenchEntry[] = [
  s1,
  s2,
  s3,
  s4,
  s5,
  viewerLoad,
  explore,
  runMapMicro,
  cliStartup,
];

function main(argv: ReadonlyArray<string>): number {
  const unknown = argv.filter((id) => !ENTRIES.some((e) => e.id === id));
  if (unknown.length) {
    process.stderr.write(`bench: no entry ${unknown.join(', ')} (entries: ${ENTRIES.map((e) => e.id).join(', ')})\n`);
    return 2;
  }
  const chosen = argv.length ? ENTRIES.filter((e) => argv.includes(e.id)) : ENTRIES;
  const rows: BenchRow[] = [];
  for (const entry of chosen) {
    process.stderr.write(`bench: ${entry.id} ${entry.title} ...\n`);
    let got: BenchRow[];
    try {
      got = entry.run();
    } catch (err) {
      // A broken entry is reported as a row, and the others still run.
      got = [{ id: entry.id, measure: `${entry.id} ${entry.title}`, value: `bench entry failed: ${(err as Error).message.split('\n')[0]}`, target: 'runs', met: false }];
    }
    for (const r of got) process.stdout.write(`${line(r)}\n`);
    rows.push(...got);
  }
  const failed = rows.filter((r) => r.met === false);
  process.stdout.write(`\n${rows.filter((r) => r.met === true).length} met, ${failed.length} FAIL (${[...new Set(failed.map((r) => r.id))].join(', ') || 'none'}), ${rows.filter((r) => r.met === undefined).length} informative\n`);
  return failed.length ? 1 : 0;
}

function line(r: BenchRow): string {
  const verdict = r.met === undefined ? 'info' : r.met ? 'pass' : 'FAIL';
  return `${verdict}  ${r.measure.padEnd(72)}  ${r.value}  [target ${r.target}]`;
}

process.exitCode = main(process.argv.slice(2));
