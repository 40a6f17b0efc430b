/**
 * What the viewer page reads, whoever delivers it: the list of sources, a
 * source's paths, a path's steps and the three machines' diagrams. The
 * loopback server answers /api from it on demand; `gmem view --export`
 * writes all of it beside the page once. Paths and steps are computed once
 * and kept; a diagram is the committed SVG while it still draws the machine
 * as it is, else laid out anew.
 */
import { diagramModel, drawMachine } from '../draw/machine-diagrams';
import { committedDiagram } from './committed-diagram';
import type { ViewerPath, ViewerSource } from './viewer-sources';
import { stepsOf, useCaseSources } from './viewer-sources';

export const VIEWER_DIAGRAMS = ['range', 'folio', 'block'] as const;
export type ViewerDiagram = (typeof VIEWER_DIAGRAMS)[number];

/** A source as the page's source list shows it. */
export interface SourceEntry {
  id: string;
  kind: ViewerSource['kind'];
  title: string;
  description?: string;
  /** a trace's own name: a link may name the trace by it (`#trace=NAME`). */
  name?: string;
}

/** A path as the page's path list shows it. */
export interface PathEntry {
  index: number;
  label: string;
  steps: number;
}

/** A lookup the page asked for that names nothing here: its message, for a 404. */
export class NotInCatalogue extends Error {}

export class ViewerCatalogue {
  private readonly sources: Map<string, ViewerSource>;
  private readonly paths = new Map<string, ViewerPath[]>();
  private readonly steps = new Map<string, string>();
  private readonly svgs = new Map<string, Promise<string>>();

  /** The traces given first, then (unless left out) the catalogue's use cases. */
  constructor(traces: ReadonlyArray<ViewerSource>, options: { useCases?: boolean } = {}) {
    const all = [...traces, ...(options.useCases === false ? [] : useCaseSources())];
    this.sources = new Map(all.map((s) => [s.id, s]));
  }

  list(): SourceEntry[] {
    return [...this.sources.values()].map(({ id, kind, title, description, name }) => ({
      id,
      kind,
      title,
      ...(description !== undefined ? { description } : {}),
      ...(name !== undefined ? { name } : {}),
    }));
  }

  pathList(id: string): PathEntry[] {
    return this.pathsOf(this.source(id)).map((p, index) => ({ index, label: p.label, steps: p.steps.length }));
  }

  /** A path's steps as the JSON the page reads (kept as text: a 1 GiB trace's steps are sent again as they are). */
  stepsJson(id: string, index: number): string {
    const source = this.source(id);
    const path = this.pathsOf(source)[index];
    if (!path) throw new NotInCatalogue(`${source.id} has no path ${index}`);
    const key = `${source.id}#${index}`;
    let body = this.steps.get(key);
    if (!body) this.steps.set(key, (body = JSON.stringify({ title: source.title, description: source.description, path: path.label, steps: stepsOf(path) })));
    return body;
  }

  diagram(name: ViewerDiagram): Promise<string> {
    let svg = this.svgs.get(name);
    if (!svg) {
      const committed = committedDiagram(name, diagramModel(name));
      this.svgs.set(name, (svg = committed !== undefined ? Promise.resolve(committed) : drawMachine(name, 'svg')));
    }
    return svg;
  }

  /** Runs every path of the given sources now, so that a later request finds its steps ready. */
  prepare(ids: ReadonlyArray<string>): void {
    for (const id of ids) this.pathList(id).forEach((p) => this.stepsJson(id, p.index));
  }

  private source(id: string): ViewerSource {
    const source = this.sources.get(id);
    if (!source) throw new NotInCatalogue(`no use case or trace '${id}'`);
    return source;
  }

  private pathsOf(source: ViewerSource): ViewerPath[] {
    let list = this.paths.get(source.id);
    if (!list) this.paths.set(source.id, (list = source.paths()));
    return list;
  }
}
