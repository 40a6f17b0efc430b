/**
 * docs/SOURCES.md read as data: one section per source tag (`## S-V2c`) with
 * its URLs, paths and function names. The spec links each citation to its
 * section; a test holds every tag the code cites to a complete entry.
 */
export interface SourceEntry {
  tag: string;
  /** GitHub's anchor for the section heading. */
  anchor: string;
  summary: string;
  urls: string[];
  paths: string[];
  functions: string[];
}

const field = (body: string, name: string) => new RegExp(`^- ${name}[^:]*: (.*)$`, 'm').exec(body)?.[1] ?? '';

export function parseSources(markdown: string): SourceEntry[] {
  const sections = markdown.split(/^## /m).slice(1);
  return sections
    .map((section) => {
      const [heading, ...rest] = section.split('\n');
      const body = rest.join('\n');
      return {
        tag: heading!.trim(),
        anchor: heading!.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-'),
        summary: body.split(/\n\n/).map((p) => p.trim()).find((p) => p && !p.startsWith('- '))?.replace(/\n/g, ' ') ?? '',
        urls: [...`${field(body, 'URL')} ${field(body, 'tree')}`.matchAll(/https:\/\/\S+?(?=[;,)]?(\s|$))/g)].map((m) => m[0]),
        paths: [...field(body, 'path').matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
        functions: [...field(body, 'functions').matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
      };
    })
    .filter((s) => /^S-[A-Za-z0-9]+$/.test(s.tag));
}
