/**
 * `gmem explore` from the command line: --json with statesPerSecond and a
 * verdict per invariant, counterexample files that `gmem replay` accepts,
 * and bad input refused in one line with exit 2.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VARIANTS } from '../machines/policy';
import { runCli } from './support/run-cli';

it('--json reports states, transitions, statesPerSecond and a verdict per invariant; the trace it writes replays', () => {
  const out = mkdtempSync(join(tmpdir(), 'gmem-explore-'));
  const r = runCli(['explore', '--variant', 'wip-2025-12', '--vm-type', 'tdx', '--depth', '4', '--workers', '1', '--json', '--out', out]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const json = JSON.parse(r.stdout);
  expect(json.statesPerSecond).toBeGreaterThan(0);
  const [s] = json.settings;
  expect(s.name).toBe('wip-2025-12 tdx kernel policies');
  expect(s.states).toBeGreaterThan(100);
  expect(s.transitions).toBeGreaterThan(s.states);
  expect(s.depthReached).toBe(4);
  expect(s.invariants['INV-1']).toEqual({ verdict: 'holds in scope' });
  expect(s.invariants['INV-12']).toMatchObject({ verdict: 'BROKEN', length: 4, reproduced: true });
  const replay = runCli(['replay', s.invariants['INV-12'].trace]);
  expect(replay.stdout).toBe('pass explore-wip-2025-12.tdx-inv-12\n');
  expect(replay.status).toBe(0);
}, 30_000);

it.each([
  [['--pages', '3'], 'gmem: explore: --pages must be a power of two (hugePageSize is a power-of-two multiple of pageSize), got 3\n'],
  [['--depth', 'ten'], "gmem: explore: --depth must be a whole number, got 'ten'\n"],
  [['--variant', 'v9'], `gmem: explore: --variant must be one of ${VARIANTS.join(', ')}, got 'v9'\n`],
  [['--policy', 'split=maybe'], 'gmem: explore: --policy split must be one of eager, lazy, got \'maybe\'\n'],
  [['--shard', '2/2'], "gmem: explore: --shard must be I/N with 0 <= I < N, got '2/2'\n"],
  [['--merge', '/nonexistent/shard-0-of-1.json'], expect.stringMatching(/^gmem: explore: --merge: \/nonexistent\/shard-0-of-1\.json: not a shard file \(ENOENT[^\n]*\)\n$/)],
])('refuses %j in one line with exit 2', (args, message) => {
  const r = runCli(['explore', ...(args as string[])]);
  expect(r.stderr).toEqual(message);
  expect(r.status).toBe(2);
});
