/**
 * `gmem view --export`: the viewer written as static files, opened from
 * file:// in headless Chromium as a reader following a link from a mail
 * thread would. A link names the trace and the step in the fragment; the
 * page loads nothing over the network; the verdicts' counterexamples open
 * at the step that breaks; a trace not in the export is named as such.
 * Refusals (a folder that is not an export, nothing to export, --port) are
 * one line and exit 2. The screenshot lands in test-output/.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { counterexampleTraces } from '../src/explore/verdicts';
import { loadTrace } from '../src/trace/replay';
import { launchHeadless } from './support/headless-browser';
import { runCli } from './support/run-cli';

const OUT = join(__dirname, '..', 'test-output');
const ROOT = join(__dirname, '..');
const K1 = 'test/traces/k1-rfc-v2-failed-split-loses-mappings.json';
const GIB = 'test/traces/one-gib-pages.json';

describe('gmem view --export, opened from file://', () => {
  let dir: string;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  let stdout = '';
  const open = async (fragment: string) => {
    await page.goto(`${pathToFileURL(join(dir, 'index.html')).href}#${fragment}`);
    await page.waitForSelector('body[data-ready="true"][data-diagrams="ready"]', { timeout: 30_000 });
  };

  beforeAll(async () => {
    dir = join(mkdtempSync(join(tmpdir(), 'gmem-export-')), 'site');
    const result = runCli(['view', '--export', dir, '--trace', K1, '--trace', GIB, '--verdicts'], { cwd: ROOT });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    stdout = result.stdout;
    browser = await launchHeadless();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('request', (r) => requests.push(r.url()));
    mkdirSync(OUT, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('says what it wrote and the link that opens it', () => {
    const counterexamples = counterexampleTraces().length;
    expect(stdout).toMatch(new RegExp(`^Wrote the viewer with ${2 + counterexamples} trace\\(s\\), \\d+ steps \\([\\d.]+ MiB\\) to ${dir.replace(/[.]/g, '\\.')}\\n`));
    expect(stdout).toContain(`Open ${pathToFileURL(join(dir, 'index.html')).href}#trace=k1-rfc-v2-failed-split-loses-mappings&step=0\n`);
    expect(readdirSync(dir).sort()).toEqual(['data', 'index.html', 'viewer.css', 'viewer.js']);
  });

  it('a link #trace=NAME&step=N opens that step, with its outcome, the defect it reproduces and the diagrams', async () => {
    requests.length = 0;
    await open('trace=k1-rfc-v2-failed-split-loses-mappings&step=8');
    expect(await page.textContent('[data-testid=counter]')).toMatch(/^step 8 of \d+$/);
    expect(await page.textContent('[data-testid=title]')).toBe(`trace k1-rfc-v2-failed-split-loses-mappings (${K1})`);
    expect(await page.textContent('[data-testid=outcome]')).toMatch(/as expected ✓$/);
    const violations = await page.$$eval('[data-testid=violations] li', (els) => els.map((e) => e.textContent ?? ''));
    expect(violations[0]).toMatch(/^INV-12 broken: known defect K1 \(rfc-v2\), declared by the trace/);
    expect(await page.$$eval('#block-diagram .state.current', (els) => els.length)).toBeGreaterThan(0);
    expect(await page.isVisible('[data-testid=warning]')).toBe(false);
    // Everything came from the folder: no server, no network.
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    await page.screenshot({ path: join(OUT, 'viewer-export.png'), fullPage: true });
  }, 60_000);

  it('stepping rewrites the fragment, so the link on the page is the step shown', async () => {
    await open('trace=k1-rfc-v2-failed-split-loses-mappings&step=2');
    await page.click('[data-testid=next]');
    expect(new URL(page.url()).hash).toBe('#trace=k1-rfc-v2-failed-split-loses-mappings&step=3');
    expect(await page.getAttribute('[data-testid=link]', 'href')).toBe('#trace=k1-rfc-v2-failed-split-loses-mappings&step=3');
    await page.keyboard.press('ArrowLeft');
    expect(new URL(page.url()).hash).toBe('#trace=k1-rfc-v2-failed-split-loses-mappings&step=2');
  }, 60_000);

  it('a second link pasted into the same tab (only the fragment changes) opens its trace and step', async () => {
    await open('trace=k1-rfc-v2-failed-split-loses-mappings&step=1');
    await page.evaluate("document.body.dataset.ready = 'false'; location.hash = '#trace=one-gib-pages&step=2'");
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('[data-testid=title]')).toBe(`trace one-gib-pages (${GIB})`);
    expect(await page.textContent('[data-testid=counter]')).toMatch(/^step 2 of /);
    expect(await page.textContent('[data-testid=counter-geometry]')).toBe('2 GiB: 524,288 pages of 4 KiB, in blocks of 262,144 pages (1 GiB)');
  }, 60_000);

  it('every counterexample of the verdicts opens at the step that breaks its invariant', async () => {
    const files = counterexampleTraces();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const loaded = loadTrace(file);
      if (!loaded.ok) throw new Error(loaded.message);
      const last = loaded.trace.steps.length;
      await open(`trace=${loaded.trace.name}&step=${last}`);
      expect(await page.textContent('[data-testid=counter]')).toBe(`step ${last} of ${last}`);
      const declared = [loaded.trace.expectViolation].flat()[0]!;
      const violations = await page.$$eval('[data-testid=violations] li', (els) => els.map((e) => e.textContent ?? ''));
      const hang = (await page.getAttribute('body', 'data-hang')) === 'true';
      // A counterexample ends where its invariant breaks: listed as broken by the defect or the policy
      // that explains it, or (INV-14) the step never returns.
      const broken = hang || violations.some((v) => new RegExp(`^${declared} broken: (known defect|policy) .*, declared by the trace`).test(v));
      expect({ file, broken, violations }).toEqual({ file, broken: true, violations });
    }
  }, 60_000);

  it('a link to a trace not in the export says so and how to add it, never another trace at that step', async () => {
    await open('trace=not-exported-here&step=3');
    expect(await page.textContent('[data-testid=warning]')).toBe('trace not-exported-here is not in this export; write it with gmem view --export DIR --trace FILE');
    expect(await page.textContent('[data-testid=counter]')).toMatch(/^step 0 of /);
    await open('trace=k1-rfc-v2-failed-split-loses-mappings&step=99');
    expect(await page.textContent('[data-testid=warning]')).toMatch(/^step 99 is out of range: this path has steps 0 \(before the first\) to \d+; showing step 0$/);
  }, 60_000);

  it('writes over an earlier export, and refuses a folder that is not one, nothing to export, and --port', () => {
    const again = runCli(['view', '--export', dir, '--trace', GIB], { cwd: ROOT });
    expect(again.status).toBe(0);
    expect(readdirSync(join(dir, 'data')).sort()).toEqual(['export.js', 'trace-1.js']);
    const other = mkdtempSync(join(tmpdir(), 'gmem-not-export-'));
    writeFileSync(join(other, 'notes.txt'), 'mine');
    const refused = runCli(['view', '--export', other, '--trace', GIB], { cwd: ROOT });
    expect({ status: refused.status, stderr: refused.stderr }).toEqual({
      status: 2,
      stderr: `gmem: view: --export ${other}: the folder is not empty and holds no earlier export; choose an empty or new folder\n`,
    });
    expect(existsSync(join(other, 'data'))).toBe(false);
    const empty = runCli(['view', '--export', join(other, 'new')], { cwd: ROOT });
    expect({ status: empty.status, stderr: empty.stderr }).toEqual({ status: 2, stderr: 'gmem: view: --export needs at least one trace (--trace FILE, or --verdicts)\n' });
    const port = runCli(['view', '--export', join(other, 'new'), '--trace', GIB, '--port', '0'], { cwd: ROOT });
    expect(port.status).toBe(2);
    expect(port.stderr).toMatch(/^gmem: view: --port and --export exclude each other/);
  });
});
