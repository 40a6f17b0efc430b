/**
 * The viewer as static files, for a reader who follows a link from a mail
 * thread and installs nothing: the page's own files, and under data/ what
 * the loopback server would have answered (the sources, every path's steps,
 * the diagrams) as scripts, since a page opened from file:// may load a
 * script beside it but may not fetch one. Any web server, or the file://
 * URL, serves the folder; `#trace=NAME&step=N` opens a step.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../../input-error';
import { VIEWER_DIAGRAMS, ViewerCatalogue } from './viewer-catalogue';
import { VIEWER_ROOT, VIEWER_STATIC } from './viewer-server';
import type { ViewerSource } from './viewer-sources';

/** The script that tells the page it is an export; an earlier export is recognised by it. */
const MARKER = join('data', 'export.js');
const PAGE_SCRIPT = '<script src="viewer.js"></script>';

export interface ExportedViewer {
  dir: string;
  /** the page's file:// URL, opening the first trace. */
  url: string;
  traces: Array<{ id: string; steps: number }>;
  bytes: number;
}

/** A name a link can carry as it is and a file can be named by: the trace's own, made unique. */
function exportIds(sources: ReadonlyArray<ViewerSource>): string[] {
  const taken = new Set<string>();
  return sources.map((s) => {
    const base = (s.name ?? s.id).replace(/[^A-Za-z0-9._-]+/g, '-') || 'trace';
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    return id;
  });
}

/** Writes the viewer with these traces into `dir`: an empty or missing folder, or an earlier export (replaced). */
export async function exportViewer(dir: string, traces: ReadonlyArray<ViewerSource>): Promise<ExportedViewer> {
  if (traces.length === 0) throw new InputError('view: --export needs at least one trace (--trace FILE, or --verdicts)');
  const root = resolve(dir);
  if (existsSync(root) && readdirSync(root).length > 0 && !existsSync(join(root, MARKER))) {
    throw new InputError(`view: --export ${dir}: the folder is not empty and holds no earlier export; choose an empty or new folder`);
  }
  const ids = exportIds(traces);
  const catalogue = new ViewerCatalogue(
    traces.map((s, i) => ({ ...s, id: ids[i]! })),
    { useCases: false },
  );
  const files: Record<string, string> = {};
  const written: Array<[string, string]> = [];
  const counts: ExportedViewer['traces'] = [];
  ids.forEach((id, i) => {
    const paths = catalogue.pathList(id);
    files[id] = `data/trace-${i + 1}.js`;
    // Each path's steps stay the JSON text the server sends; the page parses the one it opens.
    const steps = paths.map((p) => catalogue.stepsJson(id, p.index));
    written.push([files[id]!, `window.GMEM_EXPORT.loaded[${JSON.stringify(id)}] = ${JSON.stringify({ paths, steps })};\n`]);
    counts.push({ id, steps: paths.reduce((n, p) => n + p.steps, 0) });
  });
  const diagrams = Object.fromEntries(await Promise.all(VIEWER_DIAGRAMS.map(async (name) => [name, await catalogue.diagram(name)] as const)));
  written.push([MARKER, `window.GMEM_EXPORT = ${JSON.stringify({ sources: catalogue.list(), files, diagrams, loaded: {} })};\n`]);
  for (const file of VIEWER_STATIC) {
    let text = readFileSync(join(VIEWER_ROOT, file), 'utf8');
    if (file === 'index.html') {
      if (!text.includes(PAGE_SCRIPT)) throw new Error(`${join(VIEWER_ROOT, file)} no longer loads ${PAGE_SCRIPT}; the export cannot put its data before it`);
      text = text.replace(PAGE_SCRIPT, `<script src="data/export.js"></script>\n  ${PAGE_SCRIPT}`);
    }
    written.push([file, text]);
  }
  rmSync(join(root, 'data'), { recursive: true, force: true });
  mkdirSync(join(root, 'data'), { recursive: true });
  for (const [file, text] of written) writeFileSync(join(root, file), text);
  const url = `${pathToFileURL(join(root, 'index.html')).href}#trace=${encodeURIComponent(ids[0]!)}&step=0`;
  return { dir: root, url, traces: counts, bytes: written.reduce((n, [, text]) => n + Buffer.byteLength(text), 0) };
}
