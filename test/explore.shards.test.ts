/**
 * Shards partition the work and merge back to the one-run answer: the same
 * distinct states, transitions, depth and verdicts (invariant and
 * counterexample length). (That worker threads change nothing is checked by
 * test/explore.verdicts.test.ts: its stored results come from `gmem verdicts`
 * on worker threads, and a fresh search on this thread must equal them.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY } from '../machines/policy';
import type { Setting } from '../src/explore/expand';
import { mergeShards, readShard, runSettings, writeShard } from '../src/explore/run';
import { START_SCOPE, variantSettings } from '../src/explore/settings';
import type { Scope } from '../src/explore/operations';
import { expectedBreaks } from '../machines/expectations';

// A setting with a known defect (from the known-defects table), so there are verdicts to merge.
const withDefect = variantSettings().find((s) => expectedBreaks(s, START_SCOPE.blocks).length > 0)!;
const settings: Setting[] = [withDefect];
// Depth 3 holds findings (rfc-v2's K8 in 2 steps, K3 in 3) at a fifth of depth 4's cost.
const scope: Scope = { blocks: 1, pages: 2, processes: 2, pins: 1, values: 1, depth: 3 };
const summary = (r: { states: number; transitions: number; depthReached: number; findings: Array<{ invariant: string; steps: unknown[] }> }) => ({
  states: r.states,
  transitions: r.transitions,
  depth: r.depthReached,
  verdicts: r.findings.map((f) => `${f.invariant}:${f.steps.length}`),
});

it('three shards merged report what one run does', async () => {
  const one = await runSettings(settings, scope);
  expect(one[0]!.result.findings.length).toBeGreaterThan(0);
  const dir = mkdtempSync(join(tmpdir(), 'gmem-shards-'));
  const files: string[] = [];
  for (let index = 1; index <= 3; index++) {
    const shard = { index, count: 3 };
    const reports = await runSettings(settings, scope, { shard });
    expect(reports[0]!.result.shard?.splitDepth).toBeGreaterThan(0);
    // A shard explores part of the space.
    expect(reports[0]!.result.states).toBeLessThan(one[0]!.result.states);
    const file = join(dir, `shard-${index}-of-3.json`);
    writeShard(file, scope, shard, reports);
    files.push(file);
  }
  const merged = mergeShards(files.map(readShard));
  expect(merged.map(summary)).toEqual(one.map((r) => summary(r.result)));
}, 60_000);

it('merging refuses an incomplete set of shards', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gmem-shards-'));
  const file = join(dir, 'shard-1-of-2.json');
  writeShard(file, scope, { index: 1, count: 2 }, await runSettings(settings.slice(0, 1), { ...scope, depth: 2 }, { shard: { index: 1, count: 2 } }));
  expect(() => mergeShards([readShard(file)])).toThrow('shards must be 1/2 to 2/2, each once');
});

it("a policy alternative's own breaks exclude the variant's defects, which break under the kernel decision too", async () => {
  const defects = expectedBreaks(withDefect, START_SCOPE.blocks).map((e) => e.invariant);
  const [r] = await runSettings([{ ...withDefect, policy: { ...DEFAULT_POLICY, afterTruncate: 'reset' } }], { ...START_SCOPE, depth: 4 }); // every rfc-v2 defect shows in 4 steps
  const found = r!.result.findings.map((f) => f.invariant);
  expect(found).toEqual(expect.arrayContaining([...defects, 'INV-6']));
  expect(r!.own).toEqual(new Set(['INV-6']));
}, 30_000);
