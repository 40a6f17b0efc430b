/**
 * `gmem inspect [--use-case NAME | --trace FILE | --replay FILE] [--port N]
 * [--no-open] [--record FILE] [--delay N] [--once] [--wait N]`: replays a use
 * case (or a one-block trace) step by step with the block, folio and range
 * actors attached to the Stately inspector through a loopback bridge, or
 * replays a `--record` file. Nothing steps until an inspector (a receiver on
 * the bridge) has connected; `--delay` paces the steps after that. With
 * `--once` the command exits 1 when nobody connected within `--wait` seconds.
 * This process needs no network; the inspector page itself loads from
 * stately.ai in the person's browser, and the bridge page says when it cannot.
 */
import { exec } from 'node:child_process';
import type { Command } from '../command';
import { checkOutputPath } from '../output-file';
import { listenFailure, untilStopped } from '../serve';
import { USE_CASES } from '../../walk/usecases';
import { startBridge } from '../../present/inspect/bridge-server';
import type { ArenaSummary, InspectSource } from '../../present/inspect/inspect-replay';
import { replayInspected, serializer } from '../../present/inspect/inspect-replay';
import { loadTrace } from '../../trace/replay';
import { InputError } from '../../input-error';
import { EXIT_OK } from '../exit-codes';
import { sourceFromTrace } from '../../present/inspect/trace-source';
import { DEFAULT_USE_CASE, useCaseSource } from '../../present/inspect/use-case-source';
import type { Bridge } from '../../present/inspect/bridge-server';
import type { RecordedEvent } from '../../present/inspect/recording';
import { readRecording } from '../../present/inspect/recording';

const EXIT_NOBODY = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits for a receiver: up to `seconds` with --once, else until one comes or
 * the process is asked to stop (`stopped` resolves).
 */
async function awaitInspector(bridge: Bridge, once: boolean, seconds: number, stopped: Promise<string>, say: (l: string) => void): Promise<boolean> {
  if (bridge.receivers() > 0) return true;
  say(`Waiting for an inspector to connect${once ? ` (at most ${seconds} s)` : ''}; nothing steps until one does.`);
  let interrupted = false;
  void stopped.then(() => (interrupted = true));
  if (once) return Promise.race([bridge.waitForReceiver(seconds * 1000), stopped.then(() => false)]);
  while (!interrupted && !(await bridge.waitForReceiver(500)));
  return !interrupted;
}

/** Sends a recorded replay through the bridge, pausing `delay` before each event an actor received. */
async function replayRecording(bridge: Bridge, events: RecordedEvent[], delay: number, stop: () => boolean) {
  const steps = events.filter((e) => e.type === '@xstate.event' && e.eventType !== 'xstate.init');
  bridge.status.total = steps.length;
  for (const e of events) {
    if (stop()) return;
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
    'Usage: gmem inspect [--use-case NAME | --trace FILE | --replay FILE] [--port N] [--no-open]\n' +
    '                    [--record FILE] [--delay N] [--once] [--wait N]\n\n' +
    'Serves http://127.0.0.1:PORT/ (default 4243), which embeds the Stately inspector from stately.ai\n' +
    'in your browser and shows whether it loaded (offline it cannot: use `gmem view`); this process\n' +
    'itself needs no network. Nothing steps until an inspector has connected.',
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
  optionHelp: {
    'use-case': `replay the use case NAME (default ${DEFAULT_USE_CASE}; listed below)`,
    trace: 'replay a one-block gmem-trace/1 FILE instead (any trace: gmem view)',
    port: 'listen on 127.0.0.1:N (default 4243; 0 picks a free port)',
    'no-open': 'do not open the page in a browser',
    record: 'write the inspection events to FILE as JSON lines',
    delay: 'milliseconds between steps (default 600), counted once an inspector has connected',
    once: 'exit after a receiver got the whole replay; exit 1 when none connected within --wait',
    wait: 'with --once, seconds to wait for an inspector to connect (default 30)',
    replay: 'send a --record FILE to a fresh inspector instead of replaying a use case',
  },
  helpExtra: () => `Use cases: ${USE_CASES.map((u) => u.name).join(', ')}`,
  examples: ['gmem inspect --use-case tdx-initial-unfaultable --record events.jsonl', 'gmem inspect --replay events.jsonl', 'gmem inspect --once --wait 10 --no-open'],
  allowPositionals: false,
  async run(values) {
    if ([values['use-case'], values['trace'], values['replay']].filter(Boolean).length > 1) throw new InputError('inspect: give one of --use-case, --trace or --replay');
    if (values['replay'] && values['record']) throw new InputError('inspect: --record writes a replay; --replay reads one: not both');
    const wait = values['wait'] === undefined ? 30 : Number(values['wait']);
    if (!Number.isFinite(wait) || wait <= 0) throw new InputError(`inspect: --wait must be seconds, got '${values['wait']}'`);
    const once = Boolean(values['once']);
    const port = values['port'] === undefined ? 4243 : Number(values['port']);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`inspect: --port must be a port number, got '${values['port']}'`);
    const delay = values['delay'] === undefined ? 600 : Number(values['delay']);
    if (!Number.isFinite(delay) || delay < 0) throw new InputError(`inspect: --delay must be milliseconds, got '${values['delay']}'`);
    let source: InspectSource | undefined;
    let recording: RecordedEvent[] | undefined;
    if (values['replay']) {
      recording = readRecording(values['replay'] as string);
    } else if (values['trace']) {
      const loaded = loadTrace(values['trace'] as string);
      if (!loaded.ok) throw new InputError(loaded.message);
      source = sourceFromTrace(loaded.trace, values['trace'] as string);
    } else {
      source = useCaseSource((values['use-case'] as string | undefined) ?? DEFAULT_USE_CASE);
    }

    if (values['record']) checkOutputPath(values['record'] as string, 'inspect: --record');
    const bridge = await startBridge(port).catch((err: NodeJS.ErrnoException) => {
      throw listenFailure('inspect', port, err);
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

    // Listen for the stop signals from here on: a stop while waiting or replaying ends the command.
    let stoppedBy: string | undefined;
    const stopped = untilStopped().then((reason) => (stoppedBy = reason));
    if (recording) {
      if (!(await awaitInspector(bridge, once, wait, stopped, say))) return once && !stoppedBy ? nobody() : finish(EXIT_OK);
      bridge.status.phase = 'replaying';
      await replayRecording(bridge, recording, delay, () => stoppedBy !== undefined);
      bridge.status.phase = 'done';
      say(`Replayed ${recording.length} recorded events.`);
      if (once || stoppedBy) return finish(EXIT_OK);
      say('Replay done; the bridge keeps serving until you press Ctrl-C.');
      await stopped;
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
    if (!(await awaitInspector(bridge, once, wait, stopped, say))) {
      inspector.stop();
      return once && !stoppedBy ? nobody() : finish(EXIT_OK);
    }
    bridge.status.phase = 'replaying';
    await replayInspected(source, (e) => inspector.inspect.next?.(e as never), delay, (s) => (summary = s), (l) => say(`  ${l}`), (k) => (bridge.status.step = k), () => stoppedBy !== undefined);
    bridge.status.phase = 'done';
    // Let the inspector's idle callbacks flush before deciding we are done.
    await sleep(200);
    if (once || stoppedBy) {
      inspector.stop();
      await sleep(200);
      return finish(EXIT_OK);
    }
    say('Replay done; the bridge keeps serving until you press Ctrl-C.');
    await stopped;
    inspector.stop();
    await bridge.close();
    return EXIT_OK;
  },
};
