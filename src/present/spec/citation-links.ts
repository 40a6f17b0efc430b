/**
 * Citations as Markdown links, for every document generated into docs/
 * (SPEC.md, VERDICTS.md): a source tag to its SOURCES.md entry, a DOMAIN
 * section and a TRACE-FORMAT citation to the heading that holds it, an
 * invariant to the document's own Invariants section. DOMAIN.md and
 * TRACE-FORMAT.md are texts shared with other implementations and cannot
 * carry anchors of their own, so the links use the anchors GitHub derives
 * from their headings, read from the files as they are.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { citationsOf } from '../draw/machine-model';
import { PACKAGE_ROOT } from '../../package-root';

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes (repeats are numbered by the caller). */
export function githubSlug(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

/** Every heading of a Markdown text with its anchor, repeats numbered as GitHub does; fenced code is not a heading. */
export function headingsOf(markdown: string): Array<{ title: string; anchor: string }> {
  const seen = new Map<string, number>();
  const out: Array<{ title: string; anchor: string }> = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6} +(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = githubSlug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.push({ title: m[1]!, anchor: n ? `${base}-${n}` : base });
  }
  return out;
}

const docsCache = new Map<string, string>();
function doc(name: string): string {
  let text = docsCache.get(name);
  if (text === undefined) docsCache.set(name, (text = readFileSync(join(PACKAGE_ROOT, 'docs', name), 'utf8')));
  return text;
}

/** Section `4` or `7.4` of DOMAIN.md: the heading numbered so (`## 4. Operations`, `### 7.4 ...`). */
function domainTarget(n: string): string {
  const h = headingsOf(doc('DOMAIN.md')).find((x) => new RegExp(`^${n.replace(/\./g, '\\.')}\\.?\\s`).test(x.title));
  return `DOMAIN.md${h ? `#${h.anchor}` : ''}`;
}

/**
 * TRACE-FORMAT cited with the words that follow it (`TRACE-FORMAT pin and
 * unpin`, `TRACE-FORMAT expect`): a heading those words begin, else the
 * paragraph of "Details every implementation shares" they name, else the op
 * of the steps table they name; by default those details, which settle what
 * the rest leaves open.
 */
function traceFormatLink(following: string): string {
  const text = doc('TRACE-FORMAT.md');
  const headings = headingsOf(text);
  const details = headings.find((h) => h.title.startsWith('Details'));
  const steps = headings.find((h) => h.title === 'steps');
  const words = following.replace(/^[\s:.,"'`]+/, '').toLowerCase();
  const first = /^[a-z-]+/.exec(words)?.[0] ?? '';
  const startsWith = (title: string) => first !== '' && title.toLowerCase().split(/[^a-z-]+/)[0] === first;
  const bold = [...text.split(details ? `# ${details.title}` : '\u0000')[1]?.matchAll(/^\*\*([^*]+)\*\*/gm) ?? []].map((m) => m[1]!);
  const ops = [...text.matchAll(/^\| `([a-zA-Z]+)`/gm)].map((m) => m[1]!.toLowerCase());
  const target = headings.find((h) => startsWith(h.title)) ?? (bold.some(startsWith) ? details : ops.includes(first) ? steps : details);
  return `[TRACE-FORMAT](TRACE-FORMAT.md${target ? `#${target.anchor}` : ''})`;
}

/**
 * A citation as a link. `following` is the text after the citation where it
 * was cited, which narrows a TRACE-FORMAT citation to its section.
 */
export function citationLink(c: string, following = ''): string {
  if (c.startsWith('S-')) return `[${c}](SOURCES.md#${c.toLowerCase()})`;
  if (c.startsWith('INV-')) return `[${c}](#invariants)`;
  if (c.startsWith('DOMAIN')) return `[${c}](${domainTarget(c.slice('DOMAIN '.length))})`;
  if (c === 'TRACE-FORMAT') return traceFormatLink(following);
  return `[deck](${domainTarget('0')})`;
}

/** The links of every citation in a text, in order, each once. */
export function citationLinks(text: string): string[] {
  const out: string[] = [];
  for (const c of citationsOf(text)) {
    const following = c === 'TRACE-FORMAT' ? [...text.matchAll(/\bTRACE-FORMAT\b(.{0,40})/g)].map((m) => m[1]!) : [''];
    for (const f of following) {
      const link = citationLink(c, f);
      if (!out.includes(link)) out.push(link);
    }
  }
  return out;
}

/**
 * A text with its source tags, DOMAIN sections and TRACE-FORMAT citations
 * linked where they stand; code spans are left as they are.
 */
export function linkCitations(text: string): string {
  return text.replace(/\b(S-(?!EPT\b)[A-Za-z0-9]+|DOMAIN \d+(?:\.\d+)?|TRACE-FORMAT)\b/g, (tag: string, _: string, at: number) => {
    const inCode = (text.slice(0, at).match(/`/g)?.length ?? 0) % 2 === 1;
    return inCode ? tag : citationLink(tag, text.slice(at + tag.length, at + tag.length + 40));
  });
}
