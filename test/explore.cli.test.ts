/**
 * `gmem explore` from the command line: --json with statesPerSecond and a
 * verdict per invariant, counterexample files that `gmem replay` accepts,
 * and bad input refused in one line with exit 2.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VARIANTS } from '../machines/policy';
import { slug } from '../src/explore/counterexample';
import { settingName, START_SCOPE, variantSettings } from '../src/explore/settings';
import { exploreCommand } from '../src/cli/commands/explore';
import { runSettings } from '../src/explore/run';
import { InputError } from '../src/input-error';
import { runCli } from './support/run-cli';
import { expectedBreaks } from '../machines/expectations';

// A setting with a known defect, so a counterexample is written (from the known-defects table, whatever it holds).
const withDefect = variantSettings().find((s) => expectedBreaks(s, START_SCOPE.blocks).length > 0)!;
const defect = expectedBreaks(withDefect, START_SCOPE.blocks)[0]!.invariant;

it('--json reports states, transitions, statesPerSecond and a verdict per invariant; the trace it writes replays', () => {
  const out = mkdtempSync(join(tmpdir(), 'gmem-explore-'));
  // Depth 4 reaches the first known defect at a fifth of the start scope's cost.
  const r = runCli(['explore', '--variant', withDefect.variant, '--vm-type', withDefect.vmType, '--depth', '4', '--workers', '1', '--json', '--out', out, '--allow-missing']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const json = JSON.parse(r.stdout);
  expect(json.statesPerSecond).toBeGreaterThan(0);
  const [s] = json.settings;
  expect(s.name).toBe(settingName(withDefect));
  expect(s.states).toBeGreaterThan(100);
  expect(s.transitions).toBeGreaterThan(s.states);
  expect(s.depthReached).toBe(4);
  expect(s.invariants['INV-7']).toEqual({ verdict: 'holds in scope' });
  expect(s.invariants[defect]).toMatchObject({ verdict: 'BROKEN', reproduced: true });
  // One finding per known defect behind the invariant, each with its trace.
  const [finding] = s.invariants[defect].findings;
  expect(finding.defect).toMatch(/^K\d+$/);
  const replay = runCli(['replay', finding.trace]);
  expect(replay.stdout).toBe(`pass ${`explore-${slug(withDefect)}-${defect}-${finding.defect}`.toLowerCase()} (${defect} broken as declared: ${finding.defect})\n1 passed, 0 failed\n`);
  expect(replay.status).toBe(0);
}, 60_000);

describe('a known defect not reached in scope', () => {
  // Depth 2 reaches none of rfc-v2's known defects; inplace-v13 under sw-protected has none to reach.
  const small = ['explore', '--variant', 'rfc-v2', '--vm-type', 'tdx', '--depth', '2', '--workers', '1', '--summary'];

  it('fails the run by default, the message saying the scope may be too small', () => {
    const r = runCli(small);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\nexplore: 1 of 1 settings did not reach a known defect \(rfc-v2 tdx kernel policies: INV-9 \[K2\].*the scope may be too small.*--allow-missing\n$/);
  });

  it('passes with --allow-missing, the table still naming what was not reached', () => {
    const r = runCli([...small, '--allow-missing']);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/did not reach/);
    expect(r.stdout).toMatch(/not reached in\s+scope/);
  });

  it('is the exit status the help documents: 1 when a known defect is not found, 0 with --allow-missing', () => {
    const help = runCli(['explore', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/Exit status: 0 every break is a known defect .* and every known defect is found \(with --allow-missing: found or not\); 1 otherwise; 2 bad input\./);
  });

  it('passes without the flag when every known defect is reached', () => {
    const r = runCli(['explore', '--variant', 'inplace-v13', '--vm-type', 'sw-protected', '--depth', '2', '--workers', '1', '--summary']);
    expect(r.stderr).not.toMatch(/did not reach/);
    expect(r.status).toBe(0);
  });
});

describe('progress', () => {
  it('without a terminal, one line per finished setting, as the walk prints one per row', () => {
    const r = runCli(['explore', '--variant', 'rfc-v2', '--depth', '2', '--workers', '1', '--summary', '--allow-missing']);
    expect(r.status).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    // rfc-v2 under its three VM types and its four policy alternatives, in the order they finish.
    expect(lines).toHaveLength(7);
    lines.forEach((line, i) => expect(line).toMatch(new RegExp(`^\\[${i + 1}/7\\] rfc-v2 [^:]+: \\d+ states, depth 2, \\d+\\.\\d s, BROKEN .*INV-6 K8 \\(2\\)$`)));
  });

  it('a bar moves within a setting: progress counts the levels of a search under way', async () => {
    const done: number[] = [];
    await runSettings([withDefect], { ...START_SCOPE, depth: 3 }, { onProgress: (d) => done.push(d) });
    expect(done.some((d) => d > 0 && d < 1)).toBe(true);
    expect(done[done.length - 1]).toBe(1);
    expect(done).toEqual([...done].sort((a, b) => a - b));
  });
});

it.each([
  [['--pages', '3'], 'gmem: explore: --pages must be a power of two (hugePageSize is a power-of-two multiple of pageSize), got 3\n'],
  [['--variant', 'v9'], `gmem: explore: --variant must be one of ${VARIANTS.join(', ')}, got 'v9'\n`],
  [['--policy', 'split=maybe'], 'gmem: explore: --policy split must be one of eager, lazy, got \'maybe\'\n'],
  [['--merge', '/nonexistent/shard-1-of-1.json'], 'gmem: explore: --merge: /nonexistent/shard-1-of-1.json: cannot read it (ENOENT)\n'],
  [['--shard', '0/2'], "gmem: explore: --shard must be i/n with 1 <= i <= n (such as 2/3), got '0/2'\n"],
])('refuses %j in one line with exit 2', async (args, message) => {
  // One spawned refusal shows the whole path (message on stderr, exit 2); the rest check the command's InputError in-process.
  const [flag, value] = args as string[];
  let error: unknown;
  try {
    await exploreCommand.run({ [flag!.slice(2)]: flag === '--policy' ? [value] : flag === '--merge' ? true : value }, flag === '--merge' ? [value!] : []);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(InputError);
  expect(`gmem: ${(error as Error).message}\n`).toEqual(message);
});

it('shards count from 1, as the walk\'s do: 1/2 and 2/2 write shard-1-of-2 and shard-2-of-2, which merge', () => {
  const out = mkdtempSync(join(tmpdir(), 'gmem-explore-shards-'));
  const part = ['explore', '--variant', 'inplace-v13', '--vm-type', 'sw-protected', '--depth', '3', '--workers', '1', '--summary', '--out', out];
  for (const i of [1, 2]) {
    const r = runCli([...part, '--shard', `${i}/2`]);
    expect(r.stderr).toContain(`shard ${i}/2 written to ${join(out, `shard-${i}-of-2.json`)}`);
    expect(r.status).toBe(0);
  }
  const merged = runCli(['explore', '--merge', join(out, 'shard-1-of-2.json'), join(out, 'shard-2-of-2.json'), '--summary']);
  expect(merged.status).toBe(0);
});

it('a refusal reaches the terminal as one line and exit 2', () => {
  const r = runCli(['explore', '--pages', '3']);
  expect(r.stderr).toBe('gmem: explore: --pages must be a power of two (hugePageSize is a power-of-two multiple of pageSize), got 3\n');
  expect(r.status).toBe(2);
});
