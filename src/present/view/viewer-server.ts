/**
 * The viewer's server, on loopback only: the static page from
 * visualize/viewer, and under /api the sources to step through (the traces
 * given first, then the catalogue's use cases), their paths, a path's steps
 * and the machines' diagrams (the committed SVG while it still draws the
 * machine as it is). Paths and steps are computed once and kept.
 */
import { PACKAGE_ROOT } from '../../package-root';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagramModel, drawMachine } from '../draw/machine-diagrams';
import { committedDiagram } from './committed-diagram';
import type { ViewerPath, ViewerSource } from './viewer-sources';
import { stepsOf, useCaseSources } from './viewer-sources';

const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/viewer.js': 'viewer.js',
  '/viewer.css': 'viewer.css',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const ROOT = join(PACKAGE_ROOT, 'visualize', 'viewer');

/** Something to step through: the traces given on the command line first, then the catalogue's use cases. */
export function viewerSources(traces: ReadonlyArray<ViewerSource> = []): Map<string, ViewerSource> {
  return new Map([...traces, ...useCaseSources()].map((s) => [s.id, s]));
}

export async function startViewer(port: number, traces: ReadonlyArray<ViewerSource> = []): Promise<{ url: string; close: () => Promise<void> }> {
  const svgs = new Map<string, Promise<string>>();
  const sources = viewerSources(traces);
  const paths = new Map<string, ViewerPath[]>();
  const steps = new Map<string, string>();
  const pathsOf = (source: ViewerSource) => {
    let list = paths.get(source.id);
    if (!list) paths.set(source.id, (list = source.paths()));
    return list;
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const json = (status: number, body: unknown) => send(status, 'application/json', typeof body === 'string' ? body : JSON.stringify(body));
    const file = STATIC[url.pathname];
    if (file) return send(200, TYPES[file.split('.').pop()!]!, readFileSync(join(ROOT, file), 'utf8'));
    if (url.pathname === '/api/sources') return json(200, [...sources.values()].map(({ id, kind, title, description }) => ({ id, kind, title, description })));
    if (url.pathname === '/api/paths') {
      const source = sources.get(url.searchParams.get('source') ?? '');
      if (!source) return json(404, { error: `no use case or trace '${url.searchParams.get('source')}'` });
      return json(200, pathsOf(source).map((p, i) => ({ index: i, label: p.label, steps: p.steps.length })));
    }
    if (url.pathname === '/api/steps') {
      const source = sources.get(url.searchParams.get('source') ?? '');
      if (!source) return json(404, { error: `no use case or trace '${url.searchParams.get('source')}'` });
      const index = Number(url.searchParams.get('path') ?? 0);
      const path = pathsOf(source)[index];
      if (!path) return json(404, { error: `${source.id} has no path ${url.searchParams.get('path')}` });
      return json(200, stepsJson(source, index, path));
    }
    const diagram = /^\/api\/diagram\/(range|folio|block)\.svg$/.exec(url.pathname);
    if (diagram) {
      const name = diagram[1]!;
      if (!svgs.has(name)) {
        const committed = committedDiagram(name, diagramModel(name));
        svgs.set(name, committed !== undefined ? Promise.resolve(committed) : drawMachine(name, 'svg'));
      }
      svgs.get(name)!.then((svg) => send(200, 'image/svg+xml', svg), (err: Error) => send(500, 'text/plain', err.message));
      return undefined;
    }
    return send(404, 'text/plain', 'not found');
  });
  const stepsJson = (source: ViewerSource, index: number, path: ViewerPath) => {
    const key = `${source.id}#${index}`;
    let body = steps.get(key);
    if (!body) steps.set(key, (body = JSON.stringify({ title: source.title, description: source.description, path: path.label, steps: stepsOf(path) })));
    return body;
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const actual = (server.address() as AddressInfo).port;
      // Run the traces given on the command line while nobody has asked yet, so opening the page
      // (or a link to a step of a 16 x 1 GiB trace) finds their steps ready.
      setImmediate(() => {
        for (const source of traces) pathsOf(source).forEach((path, i) => stepsJson(source, i, path));
      });
      resolve({ url: `http://127.0.0.1:${actual}/`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
