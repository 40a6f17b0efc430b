/**
 * The viewer page draws an operation that never returns (INV-14, `"HANG"`)
 * as such, in headless Chromium: its outcome, the INV-14 break, the file as
 * it stood before the step, and the steps after it as not run. The hang
 * comes from the simulator: K10 on rfc-v2 (a rollback from block 0).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startViewer } from '../src/present/view/viewer-server';
import type { Trace } from '../src/trace/schema';
import { traceSource } from '../src/present/view/viewer-sources';
import { launchHeadless } from './support/headless-browser';

/** Why the K10 conversion below never returns (src/interpreter/ops/convert.ts). */
const K10_REASON = 'the split of block 0 failed and the rollback of a work item starting in block 0 never ends (unsigned index >= start: K10)';


const OUT = join(__dirname, '..', 'test-output');
const trace: Trace = {
  format: 'gmem-trace/1',
  name: 'k10-from-block-0',
  config: { variant: 'rfc-v2', vmType: 'sw-protected', pageSize: 16, hugePageSize: 32 },
  steps: [
    { op: 'create', size: 64, flags: ['mmap', 'hugetlb'], expect: 'ok' },
    { op: 'guestWrite', offset: 0, data: '01', expect: 'ok' },
    { op: 'inject', fault: 'split-enomem', expect: 'ok' },
    // The viewer draws what it is given: a step after the hang too (replay would refuse "HANG" before the last step).
    { op: 'convert', offset: 0, length: 16, to: 'shared' },
    { op: 'settle', expect: 'ok' },
  ],
};

describe('the viewer page, at a step that never returns', () => {
  let viewer: Awaited<ReturnType<typeof startViewer>>;
  let browser: Browser;
  let page: Page;
  const open = async (step: number) => {
    await page.goto(`${viewer.url}?${new URLSearchParams({ source: 'trace:k10.json', step: String(step) })}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  };

  beforeAll(async () => {
    viewer = await startViewer(0, [traceSource(trace, 'k10.json')]);
    browser = await launchHeadless();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    mkdirSync(OUT, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
  });

  it('says the step never returns, lists INV-14, and draws the file as before it', async () => {
    await open(3);
    const before = await page.textContent('[data-testid=labels-0]');
    await open(4);
    expect(await page.textContent('[data-testid=op]')).toBe('convert(offset=0, length=16 B, to=shared)');
    expect(await page.textContent('[data-testid=outcome]')).toBe(`outcome HANG: never returns (${K10_REASON}); the file is drawn as before the step, and no step after it can run`);
    expect(await page.getAttribute('[data-testid=outcome]', 'class')).toBe('ok hang');
    expect(await page.$$eval('[data-testid=violations] li', (els) => els.map((e) => e.textContent))).toEqual([expect.stringMatching(/^INV-14 broken: known defect K10 \(rfc-v2\), not declared by the trace at convert: the operation never returns: /)]);
    expect(await page.textContent('[data-testid=labels-0]')).toBe(before);
    expect(await page.textContent('[data-testid=transitions]')).toMatch(/^none/);
    await page.screenshot({ path: join(OUT, 'viewer-hang.png'), fullPage: true });
  }, 60_000);

  it('shows the steps after it as not run', async () => {
    await open(5);
    expect(await page.textContent('[data-testid=outcome]')).toBe('not run: step 4 never returned: nothing after an operation that never returns can run');
    expect(await page.getAttribute('[data-testid=outcome]', 'class')).toBe('bad not-run');
  }, 60_000);
});
