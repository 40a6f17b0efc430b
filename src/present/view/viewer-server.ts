/**
 * The viewer's server, on loopback only: the static page from
 * visualize/viewer, and under /api what the catalogue answers (the sources
 * to step through, their paths, a path's steps, the machines' diagrams).
 */
import { PACKAGE_ROOT } from '../../package-root';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ViewerDiagram } from './viewer-catalogue';
import { NotInCatalogue, ViewerCatalogue } from './viewer-catalogue';
import type { ViewerSource } from './viewer-sources';

/** The page's own files, as `gmem view --export` copies them too. */
export const VIEWER_STATIC = ['index.html', 'viewer.js', 'viewer.css'] as const;
export const VIEWER_ROOT = join(PACKAGE_ROOT, 'visualize', 'viewer');
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

export async function startViewer(port: number, traces: ReadonlyArray<ViewerSource> = []): Promise<{ url: string; close: () => Promise<void> }> {
  const catalogue = new ViewerCatalogue(traces);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const json = (status: number, body: unknown) => send(status, 'application/json', typeof body === 'string' ? body : JSON.stringify(body));
    const file = url.pathname === '/' ? 'index.html' : VIEWER_STATIC.find((f) => url.pathname === `/${f}`);
    if (file) return send(200, TYPES[file.split('.').pop()!]!, readFileSync(join(VIEWER_ROOT, file), 'utf8'));
    const param = (name: string) => url.searchParams.get(name) ?? '';
    try {
      if (url.pathname === '/api/sources') return json(200, catalogue.list());
      if (url.pathname === '/api/paths') return json(200, catalogue.pathList(param('source')));
      if (url.pathname === '/api/steps') {
        const index = Number(url.searchParams.get('path') ?? 0);
        if (!Number.isInteger(index)) throw new NotInCatalogue(`${param('source')} has no path ${param('path')}`);
        return json(200, catalogue.stepsJson(param('source'), index));
      }
    } catch (err) {
      if (err instanceof NotInCatalogue) return json(404, { error: err.message });
      throw err;
    }
    const diagram = /^\/api\/diagram\/(range|folio|block)\.svg$/.exec(url.pathname);
    if (diagram) {
      catalogue.diagram(diagram[1] as ViewerDiagram).then((svg) => send(200, 'image/svg+xml', svg), (err: Error) => send(500, 'text/plain', err.message));
      return undefined;
    }
    return send(404, 'text/plain', 'not found');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const actual = (server.address() as AddressInfo).port;
      // Run the traces given on the command line while nobody has asked yet, so opening the page
      // (or a link to a step of a 16 x 1 GiB trace) finds their steps ready.
      setImmediate(() => catalogue.prepare(traces.map((s) => s.id)));
      resolve({ url: `http://127.0.0.1:${actual}/`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
