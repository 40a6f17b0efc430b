/**
 * `gmem view [--port N] [--trace FILE]...`: the viewer page on loopback (no
 * network, no CDN): the three machines drawn by ELK, and a step-through of any
 * use case (every path the walk generates for it) or any gmem-trace/1 file,
 * multi-block and at real geometry, with the file drawn as blocks of page
 * runs. Static files come from visualize/viewer; the data from /api.
 */
import type { Command } from '../command';
import { listenFailure, untilStopped } from '../serve';
import { InputError } from '../../input-error';
import { EXIT_OK } from '../exit-codes';
import { loadTrace } from '../../trace/replay';
import { startViewer } from '../../present/view/viewer-server';
import { tooLargeToView, traceSource } from '../../present/view/viewer-sources';

export const viewCommand: Command = {
  name: 'view',
  summary: 'serve the viewer page on loopback: diagrams and a step-through of any use case or trace',
  usage:
    'Usage: gmem view [--port N] [--trace FILE]...\n\n' +
    'Serves http://127.0.0.1:PORT/ (default 4244); no network, no CDN. Ctrl-C stops it.\n' +
    'A link carries the trace and the step (?source=trace:FILE&step=N). Left and right arrow keys step.',
  options: { port: { type: 'string' }, trace: { type: 'string', multiple: true } },
  optionHelp: { port: 'listen on 127.0.0.1:N (default 4244; 0 picks a free port)', trace: 'add a gmem-trace/1 FILE of any geometry and any number of blocks beside the use cases; repeatable' },
  examples: ['gmem view --trace test/traces/viewer-one-block.json', 'gmem view --trace a.json --trace b.json --port 0'],
  allowPositionals: false,
  async run(values) {
    const port = values['port'] === undefined ? 4244 : Number(values['port']);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`view: --port must be a port number, got '${values['port']}'`);
    const traces = ((values['trace'] as string[] | undefined) ?? []).map((file) => {
      const loaded = loadTrace(file);
      if (!loaded.ok) throw new InputError(loaded.message);
      const tooLarge = tooLargeToView(loaded.trace);
      if (tooLarge) throw new InputError(`view: ${file}: ${tooLarge}`);
      return traceSource(loaded.trace, file);
    });
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
