/**
 * What `npm start` and `gmem tables` print fits 100 columns (the README
 * promises it), and the explorer's table of codes ends with what each code
 * is; the walk's line per row, written to a log, stays one line.
 */
import { rowLines } from '../src/present/report/walk-report';
import { runCli, wideLines } from './support/run-cli';

it('gmem explore --summary fits 100 columns and ends with a legend of the K-n and INV-n it names', () => {
  const r = runCli(['explore', '--summary', '--depth', '2', '--allow-missing']);
  expect(r.status).toBe(0);
  expect(wideLines(r.stdout)).toEqual([]);
  const [table, legend] = r.stdout.split('\nKnown defects (K-n, docs/DOMAIN.md 7.3) and invariants (INV-n) named above:\n');
  expect(legend).toBeDefined();
  // Every code the table names has its line, and nothing else does.
  const named = [...new Set(table!.match(/\b(K\d+|INV-\d+)\b/g))].sort();
  expect(legend!.trimEnd().split('\n').map((l) => l.trim().split(' ')[0]).sort()).toEqual(named);
  expect(legend).toMatch(/^ {2}K2 {5}INV-9: {2}a merge keeps sub-folio 0's uptodate$/m);
  expect(legend).toMatch(/^ {2}INV-9 {2}content: first exposure reads zero$/m);
}, 60_000);

it('gmem tables fits 100 columns, a wrapped cell continuing under its column', () => {
  const r = runCli(['tables']);
  expect(r.status).toBe(0);
  expect(wideLines(r.stdout)).toEqual([]);
  expect(r.stdout).toMatch(/\n {2}faultable\.unallocated {5}Faultable unallocated: .*\n {28}\S/);
});

it("the walk's line per row in a log is one line, however long the row's name", () => {
  const written: string[] = [];
  const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  rowLines(stream)!({ group: `use case: ${'x'.repeat(120)}`, setting: 'rfc-v2 sw-protected', paths: 12, steps: 40, failed: 0, ms: 1500 }, 3, 40);
  expect(written).toHaveLength(1);
  expect(written[0]).toMatch(/^\[3\/40\] use case: x+\.\.\.: 12 paths, pass, 1\.5 s\n$/);
  expect(written[0]!.length - 1).toBeLessThanOrEqual(100);
});
