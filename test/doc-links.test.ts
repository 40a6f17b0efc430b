/**
 * The generated documents' links land where they say: every relative link
 * of docs/SPEC.md and docs/VERDICTS.md with an anchor names a heading of its
 * target file, and the DOMAIN and TRACE-FORMAT citations carry one (DOMAIN.md
 * and TRACE-FORMAT.md are shared texts, linked through the anchors GitHub
 * derives from their headings).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { githubSlug, headingsOf } from '../src/present/spec/citation-links';

const docs = join(__dirname, '..', 'docs');
const read = (file: string) => readFileSync(join(docs, file), 'utf8');
/** Links outside fenced code: `[text](target)`. */
const links = (md: string) => [...md.replace(/^```[\s\S]*?^```/gm, '').matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);

it('slugs headings as GitHub does', () => {
  expect(githubSlug('7.4 mainline-6.12: the tree that runs here [S-ML612]')).toBe('74-mainline-612-the-tree-that-runs-here-s-ml612');
  expect(githubSlug("The deck's four questions (DOMAIN 8)")).toBe('the-decks-four-questions-domain-8');
  expect(githubSlug('`split`')).toBe('split');
  expect(headingsOf('# A\n```\n# not a heading\n```\n## A\n').map((h) => h.anchor)).toEqual(['a', 'a-1']);
});

describe.each(['SPEC.md', 'VERDICTS.md'])('docs/%s', (file) => {
  const md = read(file);
  const relative = links(md).filter((l) => !/^[a-z]+:/.test(l));

  it('links only to files that exist, and every anchor to a heading of its target', () => {
    const missing: string[] = [];
    for (const link of relative) {
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path ? join(docs, path) : join(docs, file);
      if (!existsSync(target)) missing.push(link);
      else if (anchor !== undefined && !headingsOf(readFileSync(target, 'utf8')).some((h) => h.anchor === anchor)) missing.push(link);
    }
    expect(missing).toEqual([]);
    expect(dirname(join(docs, file))).toBe(docs);
  });

  it('links DOMAIN and TRACE-FORMAT citations to a section, not to the top of the file', () => {
    const citations = [...md.matchAll(/\[(DOMAIN [\d.]+|TRACE-FORMAT|deck)\]\(([^)]*)\)/g)].map((m) => m[0]);
    expect(citations.length).toBeGreaterThan(0);
    expect(citations.filter((l) => !l.includes('#'))).toEqual([]);
  });

  it('names only README sections that exist', () => {
    const readme = headingsOf(readFileSync(join(docs, '..', 'README.md'), 'utf8')).map((h) => h.title);
    const named = [...md.matchAll(/README, "([^"]+)"/g)].map((m) => m[1]!);
    expect(named.filter((n) => !readme.includes(n))).toEqual([]);
  });
});

it('docs/SPEC.md links its DOMAIN and TRACE-FORMAT citations by section', () => {
  const spec = links(read('SPEC.md'));
  expect(spec.filter((l) => l.startsWith('DOMAIN.md#')).length).toBeGreaterThan(200);
  expect(spec.filter((l) => l.startsWith('TRACE-FORMAT.md#')).length).toBeGreaterThan(30);
});
