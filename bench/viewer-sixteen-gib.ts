/**
 * The viewer's load of the 16 x 1 GiB trace, cold, in a fresh process:
 * - server: what `gmem view --trace` computes for it (the simulator's run,
 *   every step's picture of 16 blocks of 262,144 pages as runs, the
 *   transitions taken, the JSON the page receives);
 * - page: from starting the viewer with the trace to the page, opened on a
 *   link to a step in headless Chromium, having drawn that step (its strips
 *   and its text). Measured only where a Chromium is found (as the tests
 *   find one); otherwise the reason is printed instead.
 * Each is measured cold, in its own process: `viewer-sixteen-gib.ts server`
 * or `viewer-sixteen-gib.ts page`. Prints one JSON line.
 */
import { chromium } from 'playwright-core';
import { startViewer } from '../src/present/view/viewer-server';
import { stepsOf, traceSource } from '../src/present/view/viewer-sources';
import { locateBrowser } from '../test/support/find-browser';
import { traceSchema } from '../src/trace/schema';
import { S1_HEAD, s1Steps } from './s1-sixteen-gib';

/** S1's trace (16 x 1 GiB: split one page per block, read, merge, punch, close). */
const sixteenGibTrace = () => traceSchema.parse({ format: 'gmem-trace/1', ...S1_HEAD, steps: [...s1Steps()] });

const ms = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;

async function pageLoad(): Promise<{ pageMs?: number; pageSkipped?: string }> {
  const lookup = locateBrowser();
  if (!lookup.path) return { pageSkipped: `no Chromium found (${lookup.problem ?? 'not installed'})` };
  const browser = await chromium.launch({ executablePath: lookup.path, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // The browser is up before the clock starts: the figure is the viewer's, not Chromium's start.
    const start = process.hrtime.bigint();
    const viewer = await startViewer(0, [traceSource(sixteenGibTrace(), S1_HEAD.name)]);
    try {
      await page.goto(`${viewer.url}?source=${encodeURIComponent(`trace:${S1_HEAD.name}`)}&step=34`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      const pageMs = ms(start);
      const strips = await page.$$eval('[data-testid^=strip-]', (els) => els.length);
      if (strips !== 16) throw new Error(`the page drew ${strips} blocks, not 16`);
      return { pageMs };
    } finally {
      await viewer.close();
    }
  } finally {
    await browser.close();
  }
}

function serverLoad(): { serverMs: number; bytes: number; steps: number } {
  const start = process.hrtime.bigint();
  const source = traceSource(sixteenGibTrace(), S1_HEAD.name);
  const steps = stepsOf(source.paths()[0]!);
  const bytes = JSON.stringify({ steps }).length;
  return { serverMs: ms(start), bytes, steps: steps.length };
}

async function main() {
  const result = process.argv[2] === 'page' ? await pageLoad() : serverLoad();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}
