/**
 * The viewer page in a real headless browser (whichever Chromium
 * test/support/find-browser.ts finds, through playwright-core): step through
 * a use case and check what the page shows, then save a screenshot under
 * test-output/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { startViewer } from '../src/commands/view';
import { sourceFromTrace } from '../src/inspect/trace-source';
import { loadTrace } from '../src/trace/replay';
import { INSTALL_HINT, locateBrowser } from './support/find-browser';

const OUT = join(__dirname, '..', 'test-output');

describe('the viewer page', () => {
  let viewer: Awaited<ReturnType<typeof startViewer>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // Never skipped: without a browser this fails, saying what to install (npm test's pretest obtains one).
    const lookup = locateBrowser();
    if (!lookup.path) throw new Error(lookup.problem ?? INSTALL_HINT);
    const loaded = loadTrace(join(__dirname, 'traces', 'viewer-one-block.json'));
    if (!loaded.ok) throw new Error(loaded.message);
    viewer = await startViewer(0, [{ ...sourceFromTrace(loaded.trace, 'viewer-one-block.json'), name: 'trace: viewer-one-block' }]);
    browser = await chromium.launch({
      executablePath: lookup.path,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(viewer.url);
    await page.waitForSelector('body[data-ready="true"]');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
  });

  it('serves on loopback and lists the use cases', async () => {
    expect(viewer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const options = await page.$$eval('[data-testid=usecase] option', (els) => els.map((e) => (e as unknown as { value: string }).value));
    expect(options).toContain('tdx-initial-unfaultable');
  });

  it('steps forward and back through a use case, drawing the block and highlighting states', async () => {
    await page.selectOption('[data-testid=usecase]', 'tdx-initial-unfaultable');
    await page.waitForSelector('[data-testid=counter]:text("step 0 of 4")');
    expect(await page.textContent('[data-testid=folio]')).toContain('[..]');
    expect(await page.textContent('[data-testid=page-0] .letter')).toBe('P');

    await page.click('[data-testid=next]');
    expect(await page.textContent('[data-testid=op]')).toBe('guestAccess(0,private)');
    expect(await page.textContent('[data-testid=folio]')).toContain('[HH]  folio: huge');
    expect(await page.textContent('[data-testid=page-0]')).toContain('guest huge');
    expect(await page.textContent('[data-testid="counter-HugePages_Free"]')).toBe('0');

    await page.click('[data-testid=next]');
    expect(await page.textContent('[data-testid=op]')).toBe('convert(1,shared)');
    expect(await page.textContent('[data-testid=page-1] .letter')).toBe('S');
    expect(await page.textContent('[data-testid=folio]')).toContain('[ss]  folio: split');
    const current = await page.$$eval('[data-testid=range-diagram] g.node.current title', (els) => els.map((e) => e.textContent));
    expect(current).toEqual(['unfaultable_allocated']);
    const folio = await page.$$eval('[data-testid=folio-diagram] g.node.current title', (els) => els.map((e) => e.textContent).sort());
    expect(folio).toEqual(['file_split', 'wrapper_empty']);

    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'viewer.png'), fullPage: true });

    await page.click('[data-testid=back]');
    expect(await page.textContent('[data-testid=counter]')).toBe('step 1 of 4');
    expect(await page.textContent('[data-testid=folio]')).toContain('[HH]');
  }, 30_000);

  it('steps through a trace as well', async () => {
    await page.selectOption('[data-testid=usecase]', 'trace: viewer-one-block');
    await page.waitForSelector('[data-testid=counter]:text("step 0 of 4")');
    for (let i = 0; i < 3; i++) await page.click('[data-testid=next]');
    expect(await page.textContent('[data-testid=op]')).toBe('hostAccess(2)');
    expect(await page.textContent('[data-testid=page-2]')).toContain('host-mapped');
    expect(await page.textContent('[data-testid=folio]')).toContain('[ssss]');
    await page.click('[data-testid=next]');
    expect(await page.textContent('[data-testid=op]')).toBe('punchHole');
    expect(await page.textContent('[data-testid=folio]')).toContain('[....]');
  }, 30_000);
});
