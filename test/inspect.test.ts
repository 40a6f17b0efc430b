/**
 * gmem inspect: a WebSocket receiver on loopback gets the @xstate.actor,
 * @xstate.event and @xstate.snapshot messages of a replayed use case, in
 * order, with the machine definitions; snapshots carry the arena summary and
 * never bytes; --record writes the same events as JSON lines and --replay
 * sends them again. Nothing steps before a receiver connects; --once gives up
 * with exit 1 when none does within --wait. The bridge page says what it
 * knows, and offline (this machine has no network) says so and points to
 * gmem view: checked in headless Chromium.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { WebSocket } from 'ws';
import type { Bridge } from '../src/present/inspect/bridge-server';
import { startBridge } from '../src/present/inspect/bridge-server';
import { launchHeadless } from './support/headless-browser';

const OUT = join(__dirname, '..', 'test-output');

interface Message {
  type: string;
  name?: string;
  sessionId: string;
  definition?: string;
  event?: { type: string };
  snapshot?: { value?: unknown; context?: { arena?: Record<string, unknown> } };
}

interface Run {
  messages: Message[];
  stderr: string;
  status: number | null;
  /** what GET /status said before the receiver connected. */
  before?: { phase: string; step: number; total: number };
  ms: number;
}

/** Runs gmem inspect --once; a receiver connects `connectAfter` ms after the page URL is printed (never if null). */
function inspectAndReceive(args: string[], connectAfter: number | null = 0): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [join(__dirname, '..', 'bin', 'gmem.js'), 'inspect', '--port', '0', '--no-open', '--once', '--delay', '0', ...args]);
    let stderr = '';
    const run: Run = { messages: [], stderr: '', status: null, ms: 0 };
    let seen = false;
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const url = /Open http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
      if (url && !seen && connectAfter !== null) {
        seen = true;
        setTimeout(async () => {
          try {
            run.before = (await (await fetch(`http://127.0.0.1:${url[1]}/status`)).json()) as Run['before'];
          } catch {
            // the process may have finished already
          }
          const ws = new WebSocket(`ws://127.0.0.1:${url[1]}`);
          ws.on('message', (data) => run.messages.push(JSON.parse(data.toString()) as Message));
          ws.on('error', reject);
        }, connectAfter);
      }
    });
    child.on('exit', (status) => resolve({ ...run, stderr, status, ms: Date.now() - started }));
  });
}

describe('gmem inspect', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gmem-inspect-'));
  const record = join(dir, 'events.jsonl');
  let run: Awaited<ReturnType<typeof inspectAndReceive>>;
  beforeAll(async () => {
    run = await inspectAndReceive(['--use-case', 'tdx-initial-unfaultable', '--record', record]);
  }, 60_000);

  it('binds loopback only and exits 0 after delivering the replay', () => {
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/Open http:\/\/127\.0\.0\.1:\d+\/ to watch/);
  });

  it('announces the block, folio and range actors with their machine definitions', () => {
    const actors = run.messages.filter((m) => m.type === '@xstate.actor');
    expect(actors.map((a) => a.name)).toEqual(['block', 'folio', 'range', 'range']);
    for (const a of actors) expect(JSON.parse(a.definition!).states).toBeDefined();
    expect(run.messages.slice(0, 4).every((m) => m.type === '@xstate.actor')).toBe(true);
  });

  it('sends the block\'s events in order, each followed by its snapshot with an arena summary', () => {
    const block = run.messages.find((m) => m.name === 'block')!.sessionId;
    const mine = run.messages.filter((m) => m.sessionId === block && m.type !== '@xstate.actor');
    const events = mine.filter((m) => m.type === '@xstate.event').map((m) => m.event!.type);
    expect(events).toEqual(['xstate.init', 'guestAccess', 'convert', 'convert', 'guestAccess']);
    // Event, snapshot, event, snapshot ..., and last the snapshot of the actor stopping.
    expect(mine[mine.length - 1]).toMatchObject({ type: '@xstate.snapshot', event: { type: 'xstate.stop' } });
    const replay = mine.slice(0, -1);
    replay.forEach((m, i) => expect(m.type).toBe(i % 2 === 0 ? '@xstate.event' : '@xstate.snapshot'));
    const last = replay[replay.length - 1]!;
    expect(last.snapshot!.context!.arena).toMatchObject({ strip: '|PP|', folio: 'huge', pool: { free: 0, rsvd: 0 } });
    expect(JSON.stringify(run.messages)).not.toMatch(/"data"|Uint8Array/);
  });

  it('drives the range and folio actors with the plan\'s region events', () => {
    const folio = run.messages.find((m) => m.name === 'folio')!.sessionId;
    const folioEvents = run.messages.filter((m) => m.sessionId === folio && m.type === '@xstate.event').map((m) => m.event!.type);
    expect(folioEvents).toEqual(['xstate.init', 'ALLOC', 'SPLIT', 'MERGE', 'ALLOC']);
  });

  it('--record writes the same events as JSON lines', () => {
    const lines = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Message);
    expect(lines.map((l) => l.type)).toEqual(run.messages.map((m) => m.type));
  });

  it('replays a one-block trace as block operations', async () => {
    const r = await inspectAndReceive(['--trace', join(__dirname, 'traces', 'viewer-one-block.json')]);
    expect(r.status).toBe(0);
    const block = r.messages.find((m) => m.name === 'block')!.sessionId;
    const events = r.messages.filter((m) => m.sessionId === block && m.type === '@xstate.event').map((m) => m.event!.type);
    expect(events).toEqual(['xstate.init', 'guestAccess', 'convert', 'hostAccess', 'punchHole']);
  }, 60_000);

  it('a trace larger than one small block is refused with exit 2', async () => {
    const r = await inspectAndReceive(['--trace', join(__dirname, 'traces', 'one-gib-pages.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^gmem: inspect: .*one-gib-pages\.json: inspect replays traces whose file is exactly one HugeTLB block\n$/);
  }, 60_000);

  it('does not step before an inspector connects: a late receiver still gets the whole replay, step by step', async () => {
    const r = await inspectAndReceive(['--use-case', 'tdx-initial-unfaultable', '--delay', '50'], 1500);
    expect(r.status).toBe(0);
    expect(r.before).toMatchObject({ phase: 'waiting', step: 0, total: 4 });
    expect(r.stderr).toMatch(/Waiting for an inspector to connect \(at most 30 s\)/);
    const block = r.messages.find((m) => m.name === 'block')!.sessionId;
    const events = r.messages.filter((m) => m.sessionId === block && m.type === '@xstate.event').map((m) => m.event!.type);
    expect(events).toEqual(['xstate.init', 'guestAccess', 'convert', 'convert', 'guestAccess']);
  }, 60_000);

  it('--once exits 1 when no inspector connected within --wait', async () => {
    const r = await inspectAndReceive(['--use-case', 'tdx-initial-unfaultable', '--wait', '1'], null);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no inspector connected within 1 s; nothing was replayed/);
    expect(r.stderr).toMatch(/gmem view/);
    expect(r.ms).toBeLessThan(15_000);
  }, 60_000);

  it('--replay sends a --record file to a fresh inspector, event for event', async () => {
    const r = await inspectAndReceive(['--replay', record]);
    expect(r.status).toBe(0);
    const recorded = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Message);
    expect(r.messages).toEqual(recorded);
  }, 60_000);

  it('--replay of a file that is not a recording names the line and exits 2', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${readFileSync(record, 'utf8').split('\n')[0]}\n{"type":"hello"}\n`);
    const r = await inspectAndReceive(['--replay', bad], null);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`gmem: inspect: --replay ${bad}: line 2 is not an inspection event (type "hello"; expected one of @xstate.actor, @xstate.event, @xstate.snapshot, @xstate.microstep, @xstate.action)\n`);
  }, 60_000);

  it('an unknown use case names it and exits 2', async () => {
    const r = await inspectAndReceive(['--use-case', 'nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^gmem: inspect: --use-case must be one of non-coco-initial-faultable, .*got 'nope'\n$/);
  });
});

describe('the bridge page, in headless Chromium', () => {
  let bridge: Bridge;
  let browser: Browser;

  beforeAll(async () => {
    // An inspector URL nothing answers on stands for stately.ai seen from a machine without network.
    bridge = await startBridge(0, 'http://127.0.0.1:9/inspect');
    bridge.status.title = 'tdx-initial-unfaultable';
    bridge.status.total = 4;
    browser = await launchHeadless();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await bridge?.close();
  });

  it('shows the bridge and the replay state, and says the inspector UI did not load, pointing to gmem view', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    await page.goto(bridge.pageUrl);
    await page.waitForSelector('[data-testid=offline]', { state: 'visible', timeout: 15_000 });
    expect(await page.textContent('[data-testid=offline]')).toMatch(/could not be loaded from http:\/\/127\.0\.0\.1:9\/inspect.*npx gmem view/s);
    expect(await page.textContent('[data-testid=inspector-state]')).toMatch(/^not loaded/);
    await page.waitForSelector('[data-testid=bridge]:text("connected")');
    expect(await page.textContent('[data-testid=replay]')).toBe('tdx-initial-unfaultable: waiting for an inspector to connect');
    // The page is no inspector: it did not connect to the event socket.
    expect(bridge.receivers()).toBe(0);
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'inspect-offline.png') });
  }, 30_000);
});
