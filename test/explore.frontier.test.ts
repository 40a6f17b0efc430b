/**
 * The search's levels past a bound go to a temporary file (src/explore/frontier.ts)
 * and its per-state record is typed columns (src/explore/state-table.ts):
 * the order of a level is kept, records longer than the read buffer and
 * strings of any 16-bit unit survive the file, and a search whose levels
 * spill reports what an in-memory one does, sharded or not, on one thread
 * or on workers, leaving no file behind, even when stopped by a signal.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY } from '../machines/policy';
import { Frontier } from '../src/explore/frontier';
import type { ExploreResult } from '../src/explore/search';
import { explore } from '../src/explore/search';
import { StateTable } from '../src/explore/state-table';
import { START_SCOPE } from '../src/explore/settings';
import { ExpandPool } from '../src/explore/worker-pool';
import { BIN } from './support/run-cli';

// The temporary folders this file's searches made: those present now and not when it started.
const before = new Set(readdirSync(tmpdir()));
const spills = () => readdirSync(tmpdir()).filter((f) => f.startsWith('gmem-frontier-') && !before.has(f));

describe('Frontier', () => {
  it('gives back every state in the order pushed, in memory and from the file, in chunks of the size asked', () => {
    const f = new Frontier(3);
    // Every 16-bit unit, lone surrogates included, and one record of 3 MB, longer than the 1 MB read buffer.
    const long = String.fromCharCode(...Array.from({ length: 1000 }, (_, i) => (i * 67) & 0xffff)).repeat(1600);
    const states = ['', 'a', '\u0000\uffff', '\ud800', long, ...Array.from({ length: 50_000 }, (_, i) => `s${i}${'\udfff'.repeat(i % 5)}`), long.slice(7)];
    states.forEach((s, i) => f.push(s, i * 3));
    expect(f.length).toBe(states.length);
    expect(f.spilled).toBe(states.length - 3);
    const got: string[] = [];
    const ids: number[] = [];
    const sizes: number[] = [];
    for (const c of f.chunks(64)) {
      got.push(...c.encodings);
      ids.push(...c.ids);
      sizes.push(c.encodings.length);
    }
    expect(got.length).toBe(states.length);
    expect(got.every((s, i) => s === states[i])).toBe(true);
    expect(ids).toEqual(states.map((_, i) => i * 3));
    expect(sizes.slice(0, -1).every((n) => n === 64)).toBe(true);
    // Read twice (a shard counts its part first): the same again, here keeping a part.
    const kept = [...f.chunks(10, (e) => e.length % 2 === 0)].flatMap((c) => c.encodings);
    expect(kept).toEqual(states.filter((e) => e.length % 2 === 0));
    // The level's file is unlinked once open: its folder is empty, so a process killed outright leaves no data behind.
    expect(spills()).toHaveLength(1);
    expect(readdirSync(join(tmpdir(), spills()[0]!))).toEqual([]);
    f.dispose();
    expect(spills()).toEqual([]);
    expect(() => f.push('late', 1)).toThrow('already let go');
  });

  it('holds a level under the bound in memory, and makes no file', () => {
    const f = new Frontier(10);
    ['x', 'y'].forEach((s, i) => f.push(s, i));
    expect(spills()).toEqual([]);
    expect([...f.chunks(1)].map((c) => c.encodings[0])).toEqual(['x', 'y']);
    expect(f.spilled).toBe(0);
    f.dispose();
  });

  it('a level at the depth bound only counts its states: none kept in memory or on disk', () => {
    const f = Frontier.counting();
    for (let i = 0; i < 300_000; i++) f.push(`state ${i}`, i);
    expect(f.length).toBe(300_000);
    expect(f.spilled).toBe(0);
    expect(spills()).toEqual([]);
    expect(() => [...f.chunks(64)]).toThrow('only counted');
    f.dispose();
  });
});

describe('StateTable', () => {
  it('keeps each field of each state past its growth', () => {
    const t = new StateTable();
    for (let i = 0; i < 5000; i++) t.add(i - 1, i % 97, i % 41, i * 1e9);
    for (const i of [0, 1023, 1024, 4999]) {
      expect([t.parent(i), t.via(i), t.depth(i), t.degree(i), t.relabel(i)]).toEqual([i - 1, i % 97, i % 41, -1, i * 1e9]);
    }
    t.setDegree(4999, 12);
    expect(t.degree(4999)).toBe(12);
    expect(t.size).toBe(5000);
  });
});

const setting = { variant: 'rfc-v2' as const, vmType: 'tdx' as const, policy: DEFAULT_POLICY };
const scope = { ...START_SCOPE, depth: 4 };
const shape = (r: ExploreResult) => ({ states: r.states, transitions: r.transitions, depth: r.depthReached, exhausted: r.exhausted, findings: r.findings, fingerprints: r.fingerprints });

it('a search whose levels go to a file reports what an in-memory one does, on one thread and on workers, sharded too, and removes its files', async () => {
  const inMemory = await explore(setting, scope);
  const spilled = await explore(setting, scope, { frontierInMemory: 5 });
  expect(inMemory.spilledStates).toBeUndefined();
  expect(spilled.spilledStates).toBeGreaterThan(300);
  expect(shape(spilled)).toEqual(shape(inMemory));
  expect(inMemory.findings.length).toBeGreaterThan(0);
  const pool = new ExpandPool(2);
  try {
    expect(shape(await explore(setting, scope, { pool, frontierInMemory: 1 }))).toEqual(shape(inMemory));
    const shard = { index: 2, count: 3 };
    const a = await explore(setting, scope, { pool, shard, keepFingerprints: true });
    const b = await explore(setting, scope, { pool, shard, keepFingerprints: true, frontierInMemory: 2 });
    expect(b.shard).toEqual(a.shard);
    expect(shape(b)).toEqual(shape(a));
  } finally {
    await pool.close();
  }
  expect(spills()).toEqual([]);
}, 120_000);

it('a search stopped mid-level, its levels in files, leaves no file behind', async () => {
  const pool = new ExpandPool(1);
  try {
    const stop = (p: { depth: number; done: number }) => {
      if (p.depth === 3 && p.done > 20) throw new Error('stopped');
    };
    await expect(explore(setting, scope, { pool, frontierInMemory: 1, onProgress: stop })).rejects.toThrow('stopped');
    await expect(explore(setting, scope, { frontierInMemory: 1, onProgress: stop })).rejects.toThrow('stopped');
  } finally {
    await pool.close();
  }
  expect(spills()).toEqual([]);
});

it('gmem explore stopped by SIGTERM or SIGINT mid-search removes its levels\' files and exits 143 or 130', async () => {
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    // Its own temporary folder, so only its files are looked at.
    const tmp = mkdtempSync(join(tmpdir(), 'gmem-frontier-test-'));
    const child = spawn(process.execPath, [BIN, 'explore', '--scope', 'cross-block', '--variant', 'rfc-v2', '--vm-type', 'tdx', '--frontier-states', '1', '--workers', '1', '--json'], { env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
    const deadline = Date.now() + 30_000;
    while (readdirSync(tmp).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const during = readdirSync(tmp);
    child.kill(signal);
    // The level under way and the next one, or the first alone.
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((f) => f.startsWith('gmem-frontier-'))).toBe(true);
    expect(await exited).toBe(code);
    expect(readdirSync(tmp)).toEqual([]);
    rmSync(tmp, { recursive: true });
  }
}, 90_000);
