/**
 * `gmem inspect [--use-case NAME | --trace FILE | --replay FILE] [--port N]
 * [--no-open] [--record FILE] [--delay MS] [--once] [--wait S]`: replays a use
 * case (or a one-block trace) step by step with the block, folio and range
 * actors attached to the Stately inspector through a loopback bridge, or
 * replays a `--record` file. Nothing steps until an inspector (a receiver on
 * the bridge) has connected; `--delay` paces the steps after that. With
 * `--once` the command exits 1 when nobody connected within `--wait` seconds.
 * This process needs no network; the inspector page itself loads from
 * stately.ai in the person's browser, and the bridge page says when it cannot.
 */
import { exec } from 'node:child_process';
import type { Command } from '../cli';
import { startBridge } from '../inspect/bridge-server';
import type { ArenaSummary, InspectSource } from '../inspect/inspect-replay';
import { replayInspected, serializer } from '../inspect/inspect-replay';
import { loadTrace } from '../trace/replay';
import { EXIT_OK, UsageError } from '../usage-error';
import { sourceFromTrace } from '../inspect/trace-source';
import { DEFAULT_USE_CASE, useCaseSource } from '../inspect/use-case-source';
import type { Bridge } from '../inspect/bridge-server';
import type { RecordedEvent } from '../inspect/recording';
import { readRecording } from '../inspect/recording';

const EXIT_NOBODY = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for a receiver: up to `seconds` with --once, else until one comes or Ctrl-C. */
async function awaitInspector(bridge: Bridge, once: boolean, seconds: number, say: (l: string) => void): Promise<boolean> {
  if (bridge.receivers() > 0) return true;
  say(`Waiting for an inspector to connect${once ? ` (at most ${seconds} s)` : ''}; nothing steps until one does.`);
  if (once) return bridge.waitForReceiver(seconds * 1000);
  let interrupted = false;
  const stop = () => (interrupted = true);
  process.once('SIGINT', stop);
  while (!interrupted && !(await bridge.waitForReceiver(500)));
  process.off('SIGINT', stop);
  return !interrupted;
}

/** Sends a recorded replay through the bridge, pausing `delay` before each event an actor received. */
async function replayRecording(bridge: Bridge, events: RecordedEvent[], delay: number) {
  const steps = events.filter((e) => e.type === '@xstate.event' && e.eventType !== 'xstate.init');
  bridge.status.total = steps.length;
  for (const e of events) {
    if (e.type === '@xstate.event' && e.eventType !== 'xstate.init') {
      bridge.status.step++;
      await sleep(delay);
    }
    bridge.publish(e.line);
  }
}

// @statelyai/inspect is an ES module; Node 20 loads it with require, and its types are declared for import.
const { createWebSocketInspector } = require('@statelyai/inspect') as typeof import('@statelyai/inspect', { with: { 'resolution-mode': 'import' } });

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'replay a use case or trace live in the Stately inspector (loopback bridge)',
  usage:
    'Usage: gmem inspect [--use-case NAME | --trace FILE | --replay FILE] [--port N] [--no-open] [--record FILE] [--delay MS] [--once] [--wait S]\n\n' +
    'Serves http://127.0.0.1:PORT/ (default 4243), which embeds the Stately inspector from stately.ai in your browser\n' +
    'and shows whether it loaded (offline it cannot: use `gmem view`); this process itself needs no network.\n' +
    'Nothing steps until an inspector has connected; --delay MS (default 600) paces the steps after that.\n' +
    '--record FILE writes the inspection events as JSON lines; --replay FILE sends such a file to a fresh inspector.\n' +
    '--once exits when the replay was delivered, or with 1 when no inspector connected within --wait S (default 30).',
  options: {
    'use-case': { type: 'string' },
    trace: { type: 'string' },
    port: { type: 'string' },
    'no-open': { type: 'boolean' },
    record: { type: 'string' },
    delay: { type: 'string' },
    once: { type: 'boolean' },
    wait: { type: 'string' },
    replay: { type: 'string' },
  },
  allowPositionals: false,
  async run(values) {
    if ([values['use-case'], values['trace'], values['replay']].filter(Boolean).length > 1) throw new UsageError('inspect: give one of --use-case, --trace or --replay');
    if (values['replay'] && values['record']) throw new UsageError('inspect: --record writes a replay; --replay reads one: not both');
    const wait = values['wait'] === undefined ? 30 : Number(values['wait']);
    if (!Number.isFinite(wait) || wait <= 0) throw new UsageError(`inspect: --wait must be seconds, got '${values['wait']}'`);
    const once = Boolean(values['once']);
    const port = values['port'] === undefined ? 4243 : Number(values['port']);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`inspect: --port must be a port number, got '${values['port']}'`);
    const delay = values['delay'] === undefined ? 600 : Number(values['delay']);
    if (!Number.isFinite(delay) || delay < 0) throw new UsageError(`inspect: --delay must be milliseconds, got '${values['delay']}'`);
    let source: InspectSource | undefined;
    let recording: RecordedEvent[] | undefined;
    if (values['replay']) {
      recording = readRecording(values['replay'] as string);
    } else if (values['trace']) {
      const loaded = loadTrace(values['trace'] as string);
      if (!loaded.ok) throw new UsageError(loaded.message);
      source = sourceFromTrace(loaded.trace, values['trace'] as string);
    } else {
      source = useCaseSource((values['use-case'] as string | undefined) ?? DEFAULT_USE_CASE);
    }

    const bridge = await startBridge(port).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`inspect: cannot listen on 127.0.0.1:${port} (${err.code ?? err.message})`);
    });
    const say = (line: string) => process.stderr.write(`${line}\n`);
    const title = source ? source.title : `recording ${values['replay']}`;
    bridge.status.title = title;
    say(`gmem inspect: ${title}`);
    say(`Open ${bridge.pageUrl} to watch (the inspector UI loads from stately.ai in your browser).`);
    if (!values['no-open'] && !once) exec(`xdg-open ${bridge.pageUrl}`, () => undefined);
    const finish = async (code: number) => {
      await bridge.close();
      return code;
    };
    const nobody = async () => {
      bridge.status.phase = 'gave-up';
      say(`gmem inspect: no inspector connected within ${wait} s; nothing was replayed. Open ${bridge.pageUrl} in a browser that reaches stately.ai, or use \`gmem view\` offline.`);
      return finish(EXIT_NOBODY);
    };

    if (recording) {
      if (!(await awaitInspector(bridge, once, wait, say))) return once ? nobody() : finish(EXIT_OK);
      bridge.status.phase = 'replaying';
      await replayRecording(bridge, recording, delay);
      bridge.status.phase = 'done';
      say(`Replayed ${recording.length} recorded events.`);
      if (once) return finish(EXIT_OK);
      say('Replay done; the bridge keeps serving until you press Ctrl-C.');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      return finish(EXIT_OK);
    }
    source = source!;
    bridge.status.total = source.ops.length;
    let summary: ArenaSummary | undefined;
    const inspector = createWebSocketInspector({
      url: bridge.url,
      serialize: serializer(() => summary, values['record'] as string | undefined) as never,
    });
    // The adapter starts itself. Wait for its socket: events it defers are serialized again on connect,
    // which would stamp them with a later arena summary.
    const adapter = inspector.adapter as unknown as { status: string };
    for (const deadline = Date.now() + 5000; adapter.status !== 'open'; await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() > deadline) throw new Error('the inspector could not connect to its own loopback bridge');
    }
    if (!(await awaitInspector(bridge, once, wait, say))) {
      inspector.stop();
      return once ? nobody() : finish(EXIT_OK);
    }
    bridge.status.phase = 'replaying';
    await replayInspected(source, (e) => inspector.inspect.next?.(e as never), delay, (s) => (summary = s), (l) => say(`  ${l}`), (k) => (bridge.status.step = k));
    bridge.status.phase = 'done';
    // Let the inspector's idle callbacks flush before deciding we are done.
    await sleep(200);
    if (once) {
      inspector.stop();
      await sleep(200);
      return finish(EXIT_OK);
    }
    say('Replay done; the bridge keeps serving until you press Ctrl-C.');
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    inspector.stop();
    await bridge.close();
    return EXIT_OK;
  },
};
