/**
 * Where the headless browser for the page tests is: $CHROMIUM_PATH, else
 * `chromium` on the PATH (Debian's package). A minimal stand-in with the
 * signature issue 11's version exports; the lead keeps theirs at merge.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function findBrowser(): string | undefined {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  try {
    const found = execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
    return found || undefined;
  } catch {
    return undefined;
  }
}
