/**
 * The viewer page in a real headless browser (whichever Chromium
 * test/support/find-browser.ts finds, through playwright-core): a multi-block
 * 2 MiB trace and a 1 GiB trace drawn as strips of page runs, a link that
 * opens a step, arrow keys, the step's outcome against its expectation, what
 * a check compared, the transitions taken highlighted in the diagrams, the
 * zoom from file to page, and every generated path of a use case.
 * Screenshots land in test-output/.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startViewer } from '../src/present/view/viewer-server';
import { loadTrace } from '../src/trace/replay';
import { traceSource, useCaseSources } from '../src/present/view/viewer-sources';
import { launchHeadless } from './support/headless-browser';
import { runCli } from './support/run-cli';

const OUT = join(__dirname, '..', 'test-output');
const MULTI = 'test/traces/eagain-punch-keeps-earlier-blocks.json';
const GIB = 'test/traces/one-gib-pages.json';
const K1 = 'test/traces/k1-rfc-v2-failed-split-loses-mappings.json';
const traceDescription = (file: string) => {
  const loaded = loadTrace(join(__dirname, '..', file));
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.trace.description;
};

describe('the viewer page', () => {
  let viewer: Awaited<ReturnType<typeof startViewer>>;
  let browser: Browser;
  let page: Page;
  const open = async (query: Record<string, string | number>) => {
    await page.goto(`${viewer.url}?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`);
    await page.waitForSelector('body[data-ready="true"][data-diagrams="ready"]', { timeout: 30_000 });
  };
  const texts = (selector: string) => page.$$eval(selector, (els) => els.map((e) => e.textContent ?? ''));

  beforeAll(async () => {
    const sources = [MULTI, GIB, K1].map((file) => {
      const loaded = loadTrace(join(__dirname, '..', file));
      if (!loaded.ok) throw new Error(loaded.message);
      return traceSource(loaded.trace, file);
    });
    viewer = await startViewer(0, sources);
    browser = await launchHeadless();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    mkdirSync(OUT, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
  });

  it('serves on loopback and lists the traces and the use cases', async () => {
    await open({});
    expect(viewer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const options = await page.$$eval('[data-testid=source] option', (els) => els.map((e) => (e as unknown as { value: string }).value));
    expect(options).toEqual(expect.arrayContaining([`trace:${MULTI}`, `trace:${GIB}`, 'tdx-initial-unfaultable']));
  }, 60_000);

  it('a link opens a step of a multi-block 2 MiB trace: strips of runs, outcome against expectation, transitions taken and highlighted', async () => {
    await open({ source: `trace:${MULTI}`, step: 4 });
    expect(await page.textContent('[data-testid=counter]')).toBe('step 4 of 8');
    expect(await page.textContent('[data-testid=op]')).toBe('punchHole(offset=0, length=6 MiB)');
    expect(await page.textContent('[data-testid=outcome]')).toBe('outcome EAGAIN, expected {"error":"EAGAIN"}: as expected ✓');
    expect(await texts('[data-testid^=labels-]')).toEqual(['0-511 shared unallocated', '0 shared split pinned x1 | 1-511 shared split', '0-511 shared split']);
    expect(await page.$$eval('[data-testid=strip-1] .run', (els) => els.length)).toBe(2);
    const transitions = await texts('[data-testid=transitions] li .what');
    expect(transitions).toEqual(expect.arrayContaining(['range: faultable.allocated → truncate.ready.shared on PUNCH', 'range: faultable.allocated ✗ EAGAIN on PUNCH [pinnedTruncateRefused]']));
    expect(await page.textContent('[data-testid=transitions]')).toMatch(/sources: S-39, S-V2g at block 1/);
    const taken = await page.$$eval('[data-testid=range-diagram] .edge.taken', (els) => els.map((e) => `${(e as unknown as { getAttribute(n: string): string }).getAttribute('data-from')} -> ${(e as unknown as { getAttribute(n: string): string }).getAttribute('data-to')}`));
    expect(taken).toEqual(expect.arrayContaining(['faultable.allocated -> truncate.ready.shared', 'truncate.ready.shared -> faultable.unallocated']));
    expect(await page.$$eval('[data-testid=range-diagram] .refusal.taken', (els) => els.map((e) => e.querySelector('text')?.textContent))).toEqual(['PUNCH [pinnedTruncateRefused] ✗ EAGAIN']);
    expect(await page.$$eval('[data-testid=folio-diagram] .edge.taken', (els) => els.length)).toBeGreaterThan(0);
    expect(await page.$$eval('[data-testid=block-diagram] .refusal.taken', (els) => els.length)).toBeGreaterThan(0);
    await page.screenshot({ path: join(OUT, 'viewer-multiblock-2mib.png'), fullPage: true });
  }, 60_000);

  it('arrow keys step, the URL follows, and a check step shows what it compared', async () => {
    await page.keyboard.press('ArrowRight');
    expect(await page.textContent('[data-testid=counter]')).toBe('step 5 of 8');
    expect(new URL(page.url()).searchParams.get('step')).toBe('5');
    expect(await page.textContent('[data-testid=op]')).toBe('check');
    expect(await page.textContent('[data-testid=outcome]')).toBe('check: everything compared matches');
    const checked = await texts('[data-testid=checked] tr td:first-child');
    expect(checked).toEqual(expect.arrayContaining(['pages[1] (offset 2097152, page 512).folioOrder', 'allocatedBytes']));
    await page.keyboard.press('ArrowLeft');
    expect(await page.textContent('[data-testid=counter]')).toBe('step 4 of 8');
  }, 30_000);

  it('zooms from the file into a block, a run and a page without an element per page', async () => {
    await page.click('[data-testid=block-1] .head');
    expect(await texts('[data-testid=runs] tr td:first-child')).toEqual(['0', '1-511']);
    await page.click('[data-testid=runs] tr[data-run="1"]');
    expect(await page.$$eval('[data-testid=pages] .page', (els) => els.length)).toBe(64);
    await page.click('[data-testid=pages] .page[data-page="7"]');
    const detail = await page.textContent('[data-testid=page-detail]');
    expect(detail).toContain('page of the file519');
    expect(detail).toContain('range statefaultable.allocated');
    expect(await page.textContent('[data-testid=zoom]')).toBe('file › block 1 › run 1-511 › page 7');
  }, 30_000);

  it('draws a 1 GiB trace as runs of 262,144-page blocks and highlights the transition taken', async () => {
    await open({ source: `trace:${GIB}`, step: 5 });
    // The to-shared zap clears the 1 GiB leaf whole (D6): no page keeps a guest mapping.
    expect(await page.textContent('[data-testid=op]')).toBe('convert(offset=1 GiB + 2 MiB, length=4 KiB, to=shared)');
    expect(await texts('[data-testid^=labels-]')).toEqual(['0-262143 private unallocated', '0-511 private split | 512 shared split | 513-262143 private split']);
    expect(await page.$$eval('[data-testid=strip-1] .run', (els) => els.length)).toBe(3);
    expect(await page.$$eval('[data-testid=range-diagram] .edge.taken', (els) => els.map((e) => `${(e as unknown as { getAttribute(n: string): string }).getAttribute('data-from')} -> ${(e as unknown as { getAttribute(n: string): string }).getAttribute('data-to')}`))).toEqual(['unfaultable.allocated -> faultable.allocated']);
    expect(await page.$$eval('[data-testid=folio-diagram] .edge.taken', (els) => els.map((e) => `${(e as unknown as { getAttribute(n: string): string }).getAttribute('data-from')} -> ${(e as unknown as { getAttribute(n: string): string }).getAttribute('data-to')} ${(e as unknown as { getAttribute(n: string): string }).getAttribute('data-events')}`))).toEqual([expect.stringMatching(/^file\.huge -> file\.split .*SPLIT/)]);
    expect(await page.textContent('[data-testid=transitions]')).toContain('at block 1 pages 512');
    // The folio diagram shows the block whose folio moved, in the state it moved to.
    expect(await page.textContent('[data-testid=folio-shown]')).toBe('block 1');
    expect(await page.$$eval('[data-testid=folio-diagram] .state.current', (els) => els.map((e) => (e as unknown as { getAttribute(n: string): string }).getAttribute('data-state')).sort())).toEqual(['file.split', 'wrapper.empty']);
    // Half a million pages, and the whole page stays small.
    expect(await page.$$eval('*', (els) => els.length)).toBeLessThan(5000);
    await page.screenshot({ path: join(OUT, 'viewer-1gib.png'), fullPage: true });
  }, 60_000);

  it('offers every path the walk generated for a use case', async () => {
    await open({ source: 'tdx-initial-unfaultable' });
    const expected = useCaseSources().find((s) => s.id === 'tdx-initial-unfaultable')!.paths();
    const options = await texts('[data-testid=path] option');
    expect(options.length).toBe(expected.length);
    expect(options.length).toBeGreaterThan(1);
    expect(options[1]).toContain(expected[1]!.label);
    await page.selectOption('[data-testid=path]', '1');
    await page.waitForSelector('[data-testid=counter]:text("step 0 of")');
    await page.click('[data-testid=next]');
    await page.click('[data-testid=next]');
    expect(await page.textContent('[data-testid=op]')).toMatch(new RegExp(`^${expected[1]!.labels![1]!.replace(/[()]/g, '\\$&')}: guestWrite\\(`));
    expect(await page.textContent('[data-testid=outcome]')).toMatch(/as expected ✓$/);
    // The URL counts paths from 1, as the page does: the second path is path=2.
    expect(new URL(page.url()).searchParams.get('path')).toBe('2');
    expect(await page.textContent('[data-testid=title]')).toMatch(/, path 2: /);
    await page.screenshot({ path: join(OUT, 'viewer-use-case.png'), fullPage: true });
  }, 60_000);

  it('a link to a trace this viewer did not load says so and how to load it, never showing another trace at that step', async () => {
    const missing = 'test/traces/not-loaded-here.json';
    await open({ source: `trace:${missing}`, step: 3 });
    expect(await page.textContent('[data-testid=warning]')).toBe(`trace ${missing} is not loaded; run gmem view --trace ${missing}`);
    expect(await page.isVisible('[data-testid=warning]')).toBe(true);
    expect(await page.textContent('[data-testid=counter]')).toMatch(/^step 0 of /);
  }, 60_000);

  it('a step beyond the trace is named as out of range, not clamped silently', async () => {
    await open({ source: `trace:${MULTI}`, step: 99 });
    expect(await page.textContent('[data-testid=warning]')).toBe('step 99 is out of range: this path has steps 0 (before the first) to 8; showing step 0');
    expect(await page.textContent('[data-testid=counter]')).toBe('step 0 of 8');
    await open({ source: `trace:${MULTI}`, step: 8 });
    expect(await page.isVisible('[data-testid=warning]')).toBe(false);
  }, 60_000);

  it('path=1 in a link is the first path, as the page numbers it; path=0 is out of range', async () => {
    await open({ source: 'tdx-initial-unfaultable', path: 1, step: 1 });
    expect(await page.$eval('[data-testid=path]', (el) => (el as unknown as { value: string }).value)).toBe('0');
    expect(await page.textContent('[data-testid=title]')).toMatch(/, path 1: /);
    expect(await page.isVisible('[data-testid=warning]')).toBe(false);
    await open({ source: 'tdx-initial-unfaultable', path: 0 });
    expect(await page.textContent('[data-testid=warning]')).toMatch(/^path 0 is out of range: tdx-initial-unfaultable has paths 1 to \d+; showing path 1 from its start$/);
  }, 60_000);

  it('follows an exported viewer\'s link too: #trace=NAME&step=N names a loaded trace by its name', async () => {
    await page.goto(`${viewer.url}#trace=k1-rfc-v2-failed-split-loses-mappings&step=8`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=title]')).toBe(`trace k1-rfc-v2-failed-split-loses-mappings (${K1})`);
    expect(await page.textContent('[data-testid=counter]')).toMatch(/^step 8 of /);
    await page.goto(`${viewer.url}#trace=nowhere&step=1`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=warning]')).toBe('trace nowhere is not loaded; run gmem view --trace FILE with the file that holds it');
  }, 60_000);

  it('heads the page with the trace\'s own description, and names the trace once', async () => {
    await open({ source: `trace:${MULTI}`, step: 1 });
    expect(await page.textContent('[data-testid=title]')).toBe(`trace eagain-punch-keeps-earlier-blocks (${MULTI})`);
    expect(await page.textContent('[data-testid=description]')).toBe(traceDescription(MULTI));
  }, 60_000);

  it('a known defect the trace reproduces reads as that defect, with its gloss and source, not as a contradiction', async () => {
    await open({ source: `trace:${K1}`, step: 8 });
    expect(await page.textContent('[data-testid=outcome]')).toMatch(/as expected ✓$/);
    const items = await texts('[data-testid=violations] li');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatch(/^INV-12 broken: known defect K1 \(rfc-v2\), declared by the trace at page 512: /);
    expect(items[0]).toContain('K1: to-shared zaps private stage-2 before the split');
    expect(items[0]).toContain('source: S-V2c `kvm_gmem_convert_should_proceed`');
    expect(items[0]).not.toMatch(/invariant violated/);
    expect(await page.getAttribute('[data-testid=violations] li', 'class')).toBe('known');
  }, 60_000);

  it('prints sizes for people, explains the colours, and keeps Back and Next together', async () => {
    await open({ source: `trace:${GIB}`, step: 2 });
    expect(await page.textContent('[data-testid=counter-geometry]')).toBe('2 GiB: 524,288 pages of 4 KiB, in blocks of 262,144 pages (1 GiB)');
    expect(await page.textContent('[data-testid=counter-allocated-bytes]')).toMatch(/^(0 B|\d+ [GMK]i?B( \+ .*)?)$/);
    expect(await texts('[data-testid=legend] span')).toEqual(['shared', 'private', 'faded, hatched: not allocated', 'being truncated', 'outlined: host-mapped, guest 4K-mapped or pinned']);
    for (const width of [1400, 700]) {
      await page.setViewportSize({ width, height: 1000 });
      const back = (await page.locator('[data-testid=back]').boundingBox())!;
      const next = (await page.locator('[data-testid=next]').boundingBox())!;
      expect(Math.abs(back.y - next.y)).toBeLessThan(4);
      expect(next.x - (back.x + back.width)).toBeLessThan(200);
    }
    await page.setViewportSize({ width: 1400, height: 1000 });
  }, 60_000);
});

describe('gmem view refuses what it cannot draw', () => {
  it('a trace whose file is beyond the viewer\'s page limit, with one line and exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmem-view-'));
    const file = join(dir, 'huge.json');
    writeFileSync(file, JSON.stringify({ format: 'gmem-trace/1', name: 'huge', steps: [{ op: 'create', size: 2 ** 40, flags: ['mmap'], expect: 'ok' }] }));
    const r = runCli(['view', '--port', '0', '--trace', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`gmem: view: ${file}: its file has 268,435,456 pages; the viewer draws at most 16,777,216 (64 GiB of 4 KiB pages)\n`);
  });

  it('an invalid trace, naming the file and the field', () => {
    const r = runCli(['view', '--port', '0', '--trace', join(__dirname, 'bad-traces', 'unknown-op.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^gmem: INVALID FILE: .*unknown-op\.json: \$\.steps\[\d+\]\.op: unknown op/);
  });
});
