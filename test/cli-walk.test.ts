/**
 * gmem walk and gmem coverage through the real bin, on small selections (the
 * whole walk runs once in npm test, in walk.coverage.test.ts): --only,
 * --shard (the union of the shards is the walk, pairwise disjoint), --list,
 * per-row times and lines, KTAP and JUnit, failures' JSON, the result file
 * coverage reads (stale, merged shards, --fresh).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { runCli, wideLines } from './support/run-cli';

const dir = mkdtempSync(join(tmpdir(), 'gmem-cli-walk-'));
const USE_CASES = 'use case';

function counts(lines: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

describe('gmem walk --shard', () => {
  // The use cases and the range machine's walk: 11 rows, about 3,700 paths, listed without running.
  const select = ['--only', USE_CASES, '--only', 'range machine'];
  const list = (extra: string[]) => {
    const r = runCli(['walk', '--list', ...select, ...extra]);
    expect(r.status).toBe(0);
    return r.stdout.trimEnd().split('\n');
  };
  const whole = list([]);
  const shards = [1, 2, 3].map((i) => list(['--shard', `${i}/3`]));

  it('lists paths as row | path', () => {
    expect(whole.length).toBeGreaterThan(3000);
    expect(whole[0]).toMatch(/^use case: non-coco-initial-faultable \(rfc-v2 sw-protected\) \| non-coco-initial-faultable: /);
    expect(whole.some((l) => l.startsWith('range machine: every transition + simple paths (every input) | simple: '))).toBe(true);
  });

  it('three shards are pairwise disjoint and their union is the whole walk', () => {
    // As multisets (a path may legitimately be generated twice): the shards' counts add up to the whole's, path by path.
    const total = counts(whole);
    const sum = new Map<string, number>();
    for (const s of shards) for (const [k, n] of counts(s)) sum.set(k, (sum.get(k) ?? 0) + n);
    expect(sum).toEqual(total);
    expect(shards.reduce((n, s) => n + s.length, 0)).toBe(whole.length);
    // Round robin keeps them balanced, in the walk's order.
    for (const s of shards) expect(Math.abs(s.length - whole.length / 3)).toBeLessThanOrEqual(1);
    expect(shards[0]![0]).toBe(whole[0]);
    expect(shards[1]![0]).toBe(whole[1]);
  });

  it('rejects a malformed shard', () => {
    for (const bad of ['0/3', '4/3', 'a/b']) {
      const r = runCli(['walk', '--shard', bad]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`gmem: walk: --shard must be i/n with 1 <= i <= n (such as 2/3), got '${bad}'\n`);
    }
  });
});

describe('gmem walk --only, rows and reports', () => {
  const result = join(dir, 'tdx.json');
  const r = runCli(['walk', '--only', 'tdx-initial', '--result', result, '--traces', join(dir, 'traces')]);

  it('runs only the matching rows, with the time of each, in 100 columns', () => {
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^use case \/ walk, setting\s+paths\s+steps\s+time\s+result\n/);
    expect(r.stdout).toMatch(/\nuse case: tdx-initial-unfaultable\n {2}tdx-huge-v3 tdx\s+\d+\s+\d+\s+\d+\.\d s\s+pass\n {2}rfc-v2 tdx\s+\d+\s+\d+\s+\d+\.\d s\s+pass\n {2}wip-2025-12 tdx\s+\d+\s+\d+\s+\d+\.\d s\s+pass\n/);
    expect(r.stdout).not.toMatch(/block: every transition|range machine|non-coco/);
    expect(r.stdout).toMatch(/Partial walk \(--only 'tdx-initial'\)/);
    expect(wideLines(r.stdout + r.stderr)).toEqual([]);
  });

  it('without a terminal, prints one line per finished row as it goes', () => {
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^\[1\/3\] use case: tdx-initial-unfaultable \(tdx-huge-v3 tdx\): \d+ paths, pass, \d+\.\d s$/),
      expect.stringMatching(/^\[2\/3\] use case: tdx-initial-unfaultable \(rfc-v2 tdx\): \d+ paths, pass, \d+\.\d s$/),
      expect.stringMatching(/^\[3\/3\] use case: tdx-initial-unfaultable \(wip-2025-12 tdx\): \d+ paths, pass, \d+\.\d s$/),
    ]);
  });

  it('a pattern that matches nothing is one line, exit 2', () => {
    const none = runCli(['walk', '--only', 'no-such-use-case']);
    expect(none.status).toBe(2);
    expect(none.stderr).toBe("gmem: walk: --only 'no-such-use-case' matches no use case, walk or setting (gmem walk --list shows them)\n");
  });

  it('--reporter tap prints one KTAP result per path', () => {
    const tap = runCli(['walk', '--only', 'tdx-initial', '--reporter', 'tap', '--result', join(dir, 'tap.json')]);
    expect(tap.status).toBe(0);
    const lines = tap.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('KTAP version 1');
    const n = Number(/^1\.\.(\d+)$/.exec(lines[1]!)![1]);
    expect(n).toBe(12);
    expect(lines.filter((l) => /^ok \d+ path \d+ tdx-initial-unfaultable: /.test(l))).toHaveLength(n);
    expect(lines[lines.length - 1]).toBe(`# Totals: pass:${n} fail:0 xfail:0 xpass:0 skip:0 error:0`);
  });

  it('--reporter junit: one testcase per path, failures with their story, the row as the suite', () => {
    const junit = runCli(['walk', '--only', 'tdx-initial', '--seeded-bug', 'stale-huge-guest-mapping', '--reporter', 'junit', '--result', join(dir, 'junit.json'), '--traces', join(dir, 'junit-traces')]);
    expect(junit.status).toBe(1);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(junit.stdout);
    const suites = xml.testsuites.testsuite as Array<{ name: string; testcase: Array<{ name: string; failure?: { message: string; '#text': string } }> }>;
    expect(suites.map((s) => s.name)).toEqual(['use case: tdx-initial-unfaultable (tdx-huge-v3 tdx)', 'use case: tdx-initial-unfaultable (rfc-v2 tdx)', 'use case: tdx-initial-unfaultable (wip-2025-12 tdx)']);
    expect(suites.flatMap((s) => s.testcase)).toHaveLength(12);
    const failed = suites.flatMap((s) => s.testcase).filter((c) => c.failure);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.failure!.message).toMatch(/^at step \d+: /);
    expect(failed[0]!.failure!['#text']).toMatch(/replay it: npx gmem replay .*\.json/);
  });
});

describe('a failing walk', () => {
  const traces = join(dir, 'failures');
  const r = runCli(['walk', '--only', USE_CASES, '--seeded-bug', 'lazy-split', '--json', '--result', join(dir, 'failing.json'), '--traces', traces]);
  const report = JSON.parse(r.stdout) as { failures: Array<{ group: string; setting: string; useCase: string | null; step: number; message: string; trace: string | null }> };

  it('exits 1, and each failure carries its setting, use case and trace file', () => {
    expect(r.status).toBe(1);
    expect(report.failures.length).toBeGreaterThan(2);
    for (const f of report.failures) {
      expect(f.useCase).toMatch(/^[a-z0-9-]+$/);
      expect(f.group).toBe(`use case: ${f.useCase}`);
      expect(f.setting).toMatch(/^(rfc-v2|wip-2025-12|tdx-huge-v3) /);
      expect(f.trace).toMatch(new RegExp(`^${traces}/walk-.*-[0-9a-f]{10}\\.json$`));
      expect(existsSync(f.trace!)).toBe(true);
    }
  });

  it('names its trace files uniquely, and the same in another run', () => {
    const files = report.failures.map((f) => f.trace);
    expect(new Set(files).size).toBe(files.length);
    const again = JSON.parse(runCli(['walk', '--only', USE_CASES, '--seeded-bug', 'lazy-split', '--json', '--result', join(dir, 'again.json'), '--traces', traces]).stdout) as typeof report;
    expect(again.failures.map((f) => f.trace)).toEqual(files);
  });

  it('the trace of a failure replays: it passes on the real simulator', () => {
    const replay = runCli(['replay', report.failures[0]!.trace!]);
    expect(replay.stdout.trimEnd().split('\n').pop()).toBe('1 passed, 0 failed');
  });

  it('an unknown seeded bug is one line, exit 2', () => {
    const bad = runCli(['walk', '--seeded-bug', 'typo']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^gmem: walk: --seeded-bug must be one of lazy-split, .*, got 'typo'\n$/);
  });
});

describe('gmem coverage reads the last walk', () => {
  const one = join(dir, 'uc-1.json');
  const two = join(dir, 'uc-2.json');
  runCli(['walk', '--only', USE_CASES, '--shard', '1/2', '--result', one]);
  runCli(['walk', '--only', USE_CASES, '--shard', '2/2', '--result', two]);

  it('reports from the result files without walking: the merged shards cover what the whole selection covers', () => {
    const whole = join(dir, 'uc-whole.json');
    runCli(['walk', '--only', USE_CASES, '--result', whole]);
    const merged = runCli(['coverage', '--result', one, '--result', two, '--json']);
    const alone = runCli(['coverage', '--result', whole, '--json']);
    type Cov = { complete: boolean; stale: boolean; missingShards: number[]; coverage: Array<{ kind: string; covered: number; total: number; uncovered: string[] }> };
    const m = JSON.parse(merged.stdout) as Cov;
    const a = JSON.parse(alone.stdout) as Cov;
    expect(m.coverage).toEqual(a.coverage);
    expect(m.coverage.find((k) => k.kind === 'use cases')).toMatchObject({ covered: 13, total: 13 });
    expect(m.missingShards).toEqual([]);
    expect(m.stale).toBe(false);
    expect(merged.status).toBe(alone.status);
    const text = runCli(['coverage', '--result', one, '--result', two]);
    expect(text.stdout).toMatch(/^From the walk of \S+ \(.*uc-1\.json,\s+.*uc-2\.json\), --only 'use case':\nCoverage:\n/);
    expect(text.stdout).toMatch(/\n {2}use cases +13\/13 +100%\n/);
    expect(text.stderr).toBe('');
    expect(wideLines(text.stdout)).toEqual([]);
  });

  it('merges shards: one shard alone is partial, and says which is missing', () => {
    const r = runCli(['coverage', '--result', one, '--json']);
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout) as { complete: boolean; missingShards: number[]; stale: boolean; coverage: Array<{ kind: string; uncovered: string[] }> };
    expect(json.missingShards).toEqual([2]);
    expect(json.stale).toBe(false);
    const text = runCli(['coverage', '--result', one]);
    expect(text.stdout).toMatch(/Shard\(s\) 2 of 2 missing: this coverage is partial\./);
  });

  it('fails the gate on a partial walk: --only, or the shards of one under --only, however covered', () => {
    const r = runCli(['coverage', '--result', join(dir, 'tdx.json'), '--json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ partial: true, missingShards: [], only: ['tdx-initial'] });
    const text = runCli(['coverage', '--result', join(dir, 'tdx.json')]);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/\nPartial walk \(--only 'tdx-initial'\): coverage of this part only; the gate needs the whole walk\.\n$/);
    const shards = runCli(['coverage', '--result', one, '--result', two, '--json']);
    expect(shards.status).toBe(1);
    expect(JSON.parse(shards.stdout)).toMatchObject({ partial: true, missingShards: [] });
  });

  it('refuses to merge results of different walks', () => {
    const r = runCli(['coverage', '--result', one, '--result', join(dir, 'tdx.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^gmem: coverage: .*tdx\.json is not a shard of the same walk as .*uc-1\.json/);
  });

  it('says when the result is stale against the code', () => {
    const stale = join(dir, 'stale.json');
    writeFileSync(stale, JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'tdx.json'), 'utf8')), fingerprint: '0000000000000000' }));
    const r = runCli(['coverage', '--result', stale]);
    expect(r.stderr).toMatch(/^gmem: coverage: note: stale result: machines\/ or src\/ changed since that walk/);
  });

  it('without a result file, says to walk first (exit 1); a file that is not one is exit 2', () => {
    const none = runCli(['coverage', '--result', join(dir, 'none.json')]);
    expect(none.status).toBe(1);
    expect(none.stderr).toBe(`gmem: coverage: no walk result at ${join(dir, 'none.json')}: run \`gmem walk\` first (it writes one), or \`gmem coverage --fresh\`\n`);
    const notOne = join(dir, 'not-one.json');
    writeFileSync(notOne, '{"rows": []}');
    const bad = runCli(['coverage', '--result', notOne]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(`gmem: coverage: ${notOne}: not a walk result (format must be "gmem-walk-result/1")\n`);
  });

  it('--fresh walks first and writes the result file', () => {
    const fresh = join(dir, 'fresh.json');
    const r = runCli(['coverage', '--fresh', '--only', 'inode-cleanup', '--result', fresh, '--json']);
    expect((JSON.parse(r.stdout) as { only: string[] }).only).toEqual(['inode-cleanup']);
    expect((JSON.parse(readFileSync(fresh, 'utf8')) as { rows: Array<{ group: string }> }).rows.map((x) => x.group)).toEqual(['use case: inode-cleanup-truncate-ready', 'use case: inode-cleanup-truncate-ready', 'use case: inode-cleanup-truncate-ready']);
    expect(runCli(['coverage', '--only', 'x']).status).toBe(2);
  });
});
