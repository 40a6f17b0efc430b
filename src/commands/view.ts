/**
 * `gmem view [--port N]`: the viewer page on loopback (no network, no CDN):
 * the diagrams, and a step-through of a use case or trace with the block
 * drawn as a strip of pages. Static files come from visualize/viewer; the
 * data from /api.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../cli';
import { listenFailure, untilStopped } from '../cli/serve';
import { drawMachine } from './diagram';
import { EXIT_OK, UsageError } from '../usage-error';
import { USE_CASES } from '../walk/usecases';
import type { InspectSource } from '../inspect/inspect-replay';
import { sourceFromTrace } from '../inspect/trace-source';
import { useCaseSource } from '../inspect/use-case-source';
import { loadTrace } from '../trace/replay';
import { viewerSteps } from '../view/viewer-steps';

const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/viewer.js': 'viewer.js',
  '/viewer.css': 'viewer.css',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const ROOT = join(__dirname, '..', '..', 'visualize', 'viewer');

/** Something to step through: the catalogue's use cases, plus traces given on the command line. */
export function viewerSources(traces: ReadonlyArray<InspectSource & { name: string }> = []): Map<string, () => InspectSource> {
  const sources = new Map<string, () => InspectSource>();
  for (const u of USE_CASES) sources.set(u.name, () => useCaseSource(u.name));
  for (const t of traces) sources.set(t.name, () => t);
  return sources;
}

export async function startViewer(port: number, traces: ReadonlyArray<InspectSource & { name: string }> = []): Promise<{ url: string; close: () => Promise<void> }> {
  const svgs = new Map<string, string>();
  const sources = viewerSources(traces);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const file = STATIC[url.pathname];
    if (file) return send(200, TYPES[file.split('.').pop()!]!, readFileSync(join(ROOT, file), 'utf8'));
    if (url.pathname === '/api/usecases') return send(200, 'application/json', JSON.stringify([...sources.keys()].map((name) => ({ name }))));
    if (url.pathname === '/api/steps') {
      const name = url.searchParams.get('useCase') ?? '';
      const make = sources.get(name);
      if (!make) return send(404, 'application/json', JSON.stringify({ error: `no use case or trace '${name}'` }));
      const source = make();
      return send(200, 'application/json', JSON.stringify({ title: source.title, pages: source.setting.pages, steps: viewerSteps(source) }));
    }
    const diagram = /^\/api\/diagram\/(range|folio)\.svg$/.exec(url.pathname);
    if (diagram) {
      const name = diagram[1]!;
      const cached = svgs.get(name);
      if (cached) return send(200, 'image/svg+xml', cached);
      drawMachine(name, 'svg').then((svg) => {
        svgs.set(name, svg);
        send(200, 'image/svg+xml', svg);
      }, (err: Error) => send(500, 'text/plain', err.message));
      return undefined;
    }
    return send(404, 'text/plain', 'not found');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({ url: `http://127.0.0.1:${actual}/`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

export const viewCommand: Command = {
  name: 'view',
  summary: 'serve the viewer page on loopback: diagrams and a step-through of a use case',
  usage: 'Usage: gmem view [--port N] [--trace FILE]\n\nServes http://127.0.0.1:PORT/ (default 4244); no network, no CDN. Ctrl-C stops it.\n--trace adds a one-block gmem-trace/1 file to the list, beside the use cases.',
  options: { port: { type: 'string' }, trace: { type: 'string', multiple: true } },
  optionHelp: { port: 'listen on 127.0.0.1:N (default 4244; 0 picks a free port)', trace: 'add a one-block gmem-trace/1 FILE to the list; repeatable' },
  examples: ['gmem view --trace test/traces/viewer-one-block.json'],
  allowPositionals: false,
  async run(values) {
    const port = values['port'] === undefined ? 4244 : Number(values['port']);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`view: --port must be a port number, got '${values['port']}'`);
    const traces = ((values['trace'] as string[] | undefined) ?? []).map((file) => {
      const loaded = loadTrace(file);
      if (!loaded.ok) throw new UsageError(loaded.message);
      return { ...sourceFromTrace(loaded.trace, file), name: `trace: ${loaded.trace.name}` };
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
