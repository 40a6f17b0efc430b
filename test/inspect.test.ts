/**
 * gmem inspect: a WebSocket receiver on loopback gets the @xstate.actor,
 * @xstate.event and @xstate.snapshot messages of a replayed use case, in
 * order, with the machine definitions; snapshots carry the arena summary and
 * never bytes; --record writes the same events as JSON lines.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';

interface Message {
  type: string;
  name?: string;
  sessionId: string;
  definition?: string;
  event?: { type: string };
  snapshot?: { value?: unknown; context?: { arena?: Record<string, unknown> } };
}

function inspectAndReceive(args: string[]): Promise<{ messages: Message[]; stderr: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, '..', 'bin', 'gmem.js'), 'inspect', '--port', '0', '--no-open', '--once', '--delay', '0', ...args]);
    let stderr = '';
    const messages: Message[] = [];
    let connected = false;
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const url = /Open http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
      if (url && !connected) {
        connected = true;
        const ws = new WebSocket(`ws://127.0.0.1:${url[1]}`);
        ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as Message));
        ws.on('error', reject);
      }
    });
    child.on('exit', (status) => resolve({ messages, stderr, status }));
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

  it('an unknown use case names it and exits 2', async () => {
    const r = await inspectAndReceive(['--use-case', 'nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^gmem: inspect: --use-case must be one of non-coco-initial-faultable, .*got 'nope'\n$/);
  });
});
