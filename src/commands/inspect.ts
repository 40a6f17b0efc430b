/**
 * `gmem inspect [--use-case NAME | --trace FILE] [--port N] [--no-open]
 * [--record FILE] [--delay MS] [--once]`: replays a use case (or a one-block
 * trace) step by step with the block, folio and range actors attached to the
 * Stately inspector through a loopback bridge. This process needs no network;
 * the inspector page itself loads from stately.ai in the person's browser.
 */
import { exec } from 'node:child_process';
import type { Command } from '../cli';
import { checkOutputPath } from '../cli/output-file';
import { listenFailure, untilStopped } from '../cli/serve';
import { USE_CASES } from '../walk/usecases';
import { startBridge } from '../inspect/bridge-server';
import type { ArenaSummary, InspectSource } from '../inspect/inspect-replay';
import { replayInspected, serializer } from '../inspect/inspect-replay';
import { loadTrace } from '../trace/replay';
import { EXIT_OK, UsageError } from '../usage-error';
import { sourceFromTrace } from '../inspect/trace-source';
import { DEFAULT_USE_CASE, useCaseSource } from '../inspect/use-case-source';

// @statelyai/inspect is an ES module; Node 20 loads it with require, and its types are declared for import.
const { createWebSocketInspector } = require('@statelyai/inspect') as typeof import('@statelyai/inspect', { with: { 'resolution-mode': 'import' } });

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'replay a use case or trace live in the Stately inspector (loopback bridge)',
  usage:
    'Usage: gmem inspect [--use-case NAME | --trace FILE] [--port N] [--no-open] [--record FILE] [--delay MS] [--once]\n\n' +
    'Serves http://127.0.0.1:PORT/ (default 4243), which embeds the Stately inspector from stately.ai in your browser;\n' +
    'this process itself needs no network. --record writes the inspection events as JSON lines; --once exits after\n' +
    'a receiver got the whole replay.',
  options: {
    'use-case': { type: 'string' },
    trace: { type: 'string' },
    port: { type: 'string' },
    'no-open': { type: 'boolean' },
    record: { type: 'string' },
    delay: { type: 'string' },
    once: { type: 'boolean' },
  },
  optionHelp: {
    'use-case': `replay the use case NAME (default ${DEFAULT_USE_CASE}; listed below)`,
    trace: 'replay a one-block gmem-trace/1 FILE instead',
    port: 'listen on 127.0.0.1:N (default 4243; 0 picks a free port)',
    'no-open': 'do not open the page in a browser',
    record: 'write the inspection events to FILE as JSON lines',
    delay: 'milliseconds between steps (default 600)',
    once: 'exit after a receiver got the whole replay',
  },
  helpExtra: () => `Use cases: ${USE_CASES.map((u) => u.name).join(', ')}`,
  examples: ['gmem inspect --use-case tdx-initial-unfaultable --record events.jsonl'],
  allowPositionals: false,
  async run(values) {
    if (values['use-case'] && values['trace']) throw new UsageError('inspect: give --use-case or --trace, not both');
    const port = values['port'] === undefined ? 4243 : Number(values['port']);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`inspect: --port must be a port number, got '${values['port']}'`);
    const delay = values['delay'] === undefined ? 600 : Number(values['delay']);
    if (!Number.isFinite(delay) || delay < 0) throw new UsageError(`inspect: --delay must be milliseconds, got '${values['delay']}'`);
    let source: InspectSource;
    if (values['trace']) {
      const loaded = loadTrace(values['trace'] as string);
      if (!loaded.ok) throw new UsageError(loaded.message);
      source = sourceFromTrace(loaded.trace, values['trace'] as string);
    } else {
      source = useCaseSource((values['use-case'] as string | undefined) ?? DEFAULT_USE_CASE);
    }

    if (values['record']) checkOutputPath(values['record'] as string, 'inspect: --record');
    const bridge = await startBridge(port).catch((err: NodeJS.ErrnoException) => {
      throw listenFailure('inspect', port, err);
    });
    const say = (line: string) => process.stderr.write(`${line}\n`);
    say(`gmem inspect: ${source.title}`);
    say(`Open ${bridge.pageUrl} to watch (the inspector UI loads from stately.ai in your browser).`);
    if (!values['no-open'] && !values['once']) exec(`xdg-open ${bridge.pageUrl}`, () => undefined);
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
    await replayInspected(source, (e) => inspector.inspect.next?.(e as never), delay, (s) => (summary = s), (l) => say(`  ${l}`));
    // Let the inspector's idle callbacks flush before deciding we are done.
    await new Promise((r) => setTimeout(r, 200));
    if (values['once']) {
      const deadline = Date.now() + 30_000;
      while (bridge.receivers() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 200));
      inspector.stop();
      await bridge.close();
      return EXIT_OK;
    }
    // Listen for the stop signals before saying so: whoever reads the line may signal at once.
    const stopped = untilStopped();
    say('Replay done; the bridge keeps serving until you press Ctrl-C.');
    await stopped;
    inspector.stop();
    await bridge.close();
    return EXIT_OK;
  },
};
