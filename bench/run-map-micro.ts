/**
 * RunMap (src/interpreter/run-map.ts) on its own: the cost of a set that
 * splits a run, and of a lookup, with 10k and 1M runs over 2^34 pages (a
 * 64 TiB file of 4 KiB pages). A B+ tree keeps both near log(runs); and a
 * 1 GiB block's one-page split and merge back costs runs, not pages.
 */
import { RunMap } from '../src/interpreter/run-map';
import type { BenchEntry, BenchRow } from './entry';
import { seededRandom } from './trace-writer';

const PAGES = 2 ** 34;

function nsPerOp(runs: number, ops: number): { set: number; get: number } {
  const random = seededRandom(runs);
  const m = new RunMap<number>(PAGES, 0);
  // runs/2 isolated pages of value 1 make `runs` runs.
  const stride = Math.floor(PAGES / (runs / 2));
  for (let i = 0; i < runs / 2; i++) m.set(i * stride + 1, i * stride + 2, 1);
  const pages = Array.from({ length: ops }, () => Math.floor(random() * PAGES));
  let t = process.hrtime.bigint();
  // Each set splits a run in three and the next puts it back: the run count stays put.
  for (const p of pages) {
    m.set(p, p + 1, 2);
    m.set(p, p + 1, m.get(p === 0 ? 1 : p - 1));
  }
  const set = Number(process.hrtime.bigint() - t) / (2 * ops);
  t = process.hrtime.bigint();
  let sink = 0;
  for (const p of pages) sink += m.get(p);
  const get = Number(process.hrtime.bigint() - t) / ops;
  if (sink < 0) throw new Error('unreachable');
  return { set, get };
}

export const runMapMicro: BenchEntry = {
  id: 'run-map',
  title: 'RunMap microbenchmark',
  run() {
    const small = nsPerOp(10_000, 200_000);
    const large = nsPerOp(1_000_000, 200_000);
    const block = new RunMap<number>(2 ** 18, 0);
    const t = process.hrtime.bigint();
    for (let i = 0; i < 10_000; i++) {
      block.set(1000, 1001, 1);
      block.set(1000, 1001, 0);
    }
    const split = Number(process.hrtime.bigint() - t) / 20_000;
    const rows: BenchRow[] = [
      { id: 'run-map', measure: 'run-map set (splits a run) / get, 10k runs over 2^34 pages', value: `${small.set.toFixed(0)} / ${small.get.toFixed(0)} ns`, target: '(informative)' },
      { id: 'run-map', measure: 'run-map set / get, 1M runs over 2^34 pages', value: `${large.set.toFixed(0)} / ${large.get.toFixed(0)} ns (${(large.set / small.set).toFixed(2)}x / ${(large.get / small.get).toFixed(2)}x of 10k)`, target: '(informative)' },
      { id: 'run-map', measure: 'run-map one page of a 1 GiB block (2^18 pages) split off or merged back', value: `${split.toFixed(0)} ns, ${block.runCount} run after`, target: '(informative)' },
    ];
    return rows;
  },
};
