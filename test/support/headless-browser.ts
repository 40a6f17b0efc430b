/**
 * The headless Chromium every browser test drives: whichever one
 * find-browser.ts finds (npm test's pretest obtains one), with the flags
 * that keep it off the network and quiet. Never skipped: without a browser
 * this fails, saying what to install.
 */
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { INSTALL_HINT, locateBrowser } from './find-browser';

export const HEADLESS_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchHeadless(extraArgs: string[] = []): Promise<Browser> {
  const lookup = locateBrowser();
  if (!lookup.path) throw new Error(lookup.problem ?? INSTALL_HINT);
  return chromium.launch({ executablePath: lookup.path, args: [...HEADLESS_FLAGS, ...extraArgs] });
}
