/**
 * `gmem view [--port N] [--trace FILE]... [--verdicts]`: the viewer page on
 * loopback (no network, no CDN): the three machines drawn by ELK, and a
 * step-through of any use case (every path the walk generates for it) or any
 * gmem-trace/1 file, multi-block and at real geometry, with the file drawn
 * as blocks of page runs. With `--export DIR`, the same page with the chosen
 * traces as static files instead, for a web server or a file:// URL.
 */
import { relative } from 'node:path';
import type { Command } from '../command';
import { listenFailure, untilStopped } from '../serve';
import { InputError } from '../../input-error';
import { EXIT_OK } from '../exit-codes';
import { counterexampleTraces } from '../../explore/verdicts';
import { loadTrace } from '../../trace/replay';
import { startViewer } from '../../present/view/viewer-server';
import { exportViewer } from '../../present/view/viewer-export';
import { tooLargeToView, traceSource } from '../../present/view/viewer-sources';

export const viewCommand: Command = {
  name: 'view',
  summary: 'the viewer page (served, or exported as files): diagrams and a step-through of a trace',
  usage:
    'Usage: gmem view [--port N] [--trace FILE]... [--verdicts]\n' +
    '       gmem view --export DIR [--trace FILE]... [--verdicts]\n\n' +
    'Serves http://127.0.0.1:PORT/ (default 4244); no network, no CDN. Ctrl-C stops it.\n' +
    'A link carries the trace and the step (?source=trace:FILE&step=N). Left and right arrow keys step.\n' +
    'With --export, writes the page and the chosen traces to DIR as static files, for any web server\n' +
    'or a file:// URL; a link names the trace and the step: index.html#trace=NAME&step=N.',
  options: { port: { type: 'string' }, trace: { type: 'string', multiple: true }, verdicts: { type: 'boolean' }, export: { type: 'string' } },
  optionValues: { export: 'DIR' },
  optionHelp: {
    port: 'listen on 127.0.0.1:N (default 4244; 0 picks a free port)',
    trace: 'add a gmem-trace/1 FILE of any geometry and any number of blocks; repeatable',
    verdicts: 'add every counterexample of docs/VERDICTS.md (docs/verdicts/*/*.trace.json)',
    export: 'write the page and the traces to DIR (empty, new, or an earlier export) instead of serving',
  },
  examples: [
    'gmem view --trace test/traces/viewer-one-block.json',
    'gmem view --trace a.json --trace b.json --port 0',
    'gmem view --export public/gmem --trace test/traces/k1-rfc-v2-failed-split-loses-mappings.json --verdicts',
  ],
  allowPositionals: false,
  async run(values) {
    const files = [...((values['trace'] as string[] | undefined) ?? []), ...(values['verdicts'] ? counterexampleTraces().map((f) => relative(process.cwd(), f)) : [])];
    const traces = files.map((file) => {
      const loaded = loadTrace(file);
      if (!loaded.ok) throw new InputError(loaded.message);
      const tooLarge = tooLargeToView(loaded.trace);
      if (tooLarge) throw new InputError(`view: ${file}: ${tooLarge}`);
      return traceSource(loaded.trace, file);
    });
    const dir = values['export'] as string | undefined;
    if (dir !== undefined) {
      if (values['port'] !== undefined) throw new InputError('view: --port and --export exclude each other (an export is served by whatever serves its folder)');
      const exported = await exportViewer(dir, traces);
      const steps = exported.traces.reduce((n, t) => n + t.steps, 0);
      process.stdout.write(`Wrote the viewer with ${exported.traces.length} trace(s), ${steps} steps (${(exported.bytes / 2 ** 20).toFixed(1)} MiB) to ${exported.dir}\n`);
      process.stdout.write(`Open ${exported.url}\n`);
      return EXIT_OK;
    }
    const port = values['port'] === undefined ? 4244 : Number(values['port']);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`view: --port must be a port number, got '${values['port']}'`);
    const viewer = await startViewer(port, traces).catch((err: NodeJS.ErrnoException) => {
      throw listenFailure('view', port, err);
    });
    // Listen for the stop signals before saying so: whoever reads the line may signal at once.
    const stopped = untilStopped();
    process.stderr.write(`Viewer at ${viewer.url} (Ctrl-C stops it)\n`);
    await stopped;
    await viewer.close();
    return EXIT_OK;
  },
};
