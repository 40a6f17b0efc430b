/**
 * Where is a Chromium the viewer test can drive? In this order:
 *
 * 1. the environment: CHROMIUM_PATH, then playwright's own
 *    PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH (set but missing is an error, not a
 *    silent fall-through: the person asked for that browser);
 * 2. the usual command names on PATH (Debian `chromium`, Ubuntu and Fedora
 *    `chromium-browser`, Google's `google-chrome` ...);
 * 3. the usual install locations (Linux packages and snaps, macOS apps);
 * 4. playwright's browser cache (PLAYWRIGHT_BROWSERS_PATH or
 *    ~/.cache/ms-playwright, ~/Library/Caches/ms-playwright on macOS),
 *    newest revision first.
 *
 * Everything the lookup reads comes through a `Host` so tests can fake the
 * environment, PATH and file system. `obtainBrowser` is the pretest step:
 * look, else install with playwright, else with apt as root on Debian-likes,
 * else one line saying what to install.
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface Host {
  env: Record<string, string | undefined>;
  platform: string;
  home: string;
  /** an executable regular file (or a link to one) is there. */
  isExecutable(path: string): boolean;
  /** directory entries, [] when it is not a directory. */
  list(dir: string): string[];
}

export const ENV_VARS = ['CHROMIUM_PATH', 'PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH'] as const;
export const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'] as const;

const LINUX_LOCATIONS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/lib/chromium/chromium',
  '/usr/lib64/chromium-browser/chromium-browser',
  '/opt/google/chrome/chrome',
];
const MAC_APPS = [
  'Chromium.app/Contents/MacOS/Chromium',
  'Google Chrome.app/Contents/MacOS/Google Chrome',
  'Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
];
/** Inside a playwright cache entry chromium-NNNN/ or chromium_headless_shell-NNNN/ (old and Chrome-for-Testing layouts). */
const PLAYWRIGHT_EXECUTABLES = [
  'chrome-linux64/chrome',
  'chrome-linux/chrome',
  'chrome-linux-arm64/chrome',
  'chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
  'chrome-mac-x64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
  'chrome-mac/Chromium.app/Contents/MacOS/Chromium',
  'chrome-headless-shell-linux64/chrome-headless-shell',
  'chrome-linux/headless_shell',
];

export function realHost(): Host {
  return {
    env: process.env,
    platform: process.platform,
    home: homedir(),
    isExecutable: (path) => {
      try {
        accessSync(path, constants.X_OK);
        return !readdirSafe(path);
      } catch {
        return false;
      }
    },
    list: (dir) => readdirSafe(dir) ?? [],
  };
}

function readdirSafe(dir: string): string[] | undefined {
  try {
    return readdirSync(dir);
  } catch {
    return undefined;
  }
}

export interface Lookup {
  /** the browser found, if any. */
  path?: string;
  /** an environment variable names a browser that is not there. */
  problem?: string;
  /** where it looked, in order. */
  tried: string[];
}

function playwrightCaches(host: Host): string[] {
  const own = host.env['PLAYWRIGHT_BROWSERS_PATH'];
  if (own && own !== '0') return [own];
  return host.platform === 'darwin' ? [join(host.home, 'Library', 'Caches', 'ms-playwright')] : [join(host.home, '.cache', 'ms-playwright')];
}

/** Playwright's cache entries for Chromium, newest revision first, full browsers before headless shells. */
function playwrightCandidates(host: Host): string[] {
  const out: string[] = [];
  for (const cache of playwrightCaches(host)) {
    const entries = host
      .list(cache)
      .map((name) => ({ name, m: /^chromium(_headless_shell)?-(\d+)$/.exec(name) }))
      .filter((e) => e.m)
      .sort((a, b) => Number(b.m![2]) - Number(a.m![2]) || Number(Boolean(a.m![1])) - Number(Boolean(b.m![1])));
    for (const e of entries) for (const exe of PLAYWRIGHT_EXECUTABLES) out.push(join(cache, e.name, exe));
  }
  return out;
}

/** Every place looked at, in order (environment variables excepted). */
export function candidates(host: Host): string[] {
  const dirs = (host.env['PATH'] ?? '').split(delimiter).filter(Boolean);
  const onPath = PATH_NAMES.flatMap((name) => dirs.map((d) => join(d, name)));
  const fixed =
    host.platform === 'darwin'
      ? MAC_APPS.flatMap((app) => [join('/Applications', app), join(host.home, 'Applications', app)])
      : LINUX_LOCATIONS;
  return [...onPath, ...fixed, ...playwrightCandidates(host)];
}

export function locateBrowser(host: Host = realHost()): Lookup {
  const tried: string[] = [];
  for (const name of ENV_VARS) {
    const value = host.env[name];
    if (!value) continue;
    tried.push(`${name}=${value}`);
    if (host.isExecutable(value)) return { path: value, tried };
    return { problem: `${name}=${value} is not an executable file`, tried };
  }
  for (const path of candidates(host)) {
    tried.push(path);
    if (host.isExecutable(path)) return { path, tried };
  }
  return { tried };
}

/** The executable path of a Chromium the viewer test can launch, or undefined. */
export function findBrowser(host: Host = realHost()): string | undefined {
  return locateBrowser(host).path;
}

export const INSTALL_HINT =
  'no Chromium for the viewer test: install one (Debian/Ubuntu: apt-get install chromium; Fedora: dnf install chromium; ' +
  'macOS: brew install --cask chromium; or npx playwright install chromium) or point the tests at one with CHROMIUM_PATH=/path/to/chrome';

/** What the pretest step needs from the machine, fakeable in tests. */
export interface Installer {
  locate(): Lookup;
  /** runs a command, returns its exit status (output goes to the terminal). */
  run(command: string, args: string[], env?: Record<string, string>): number;
  isRoot: boolean;
  debianLike: boolean;
  say(line: string): void;
}

/**
 * The pretest step: a browser already there is used as is; else playwright
 * installs its Chromium (needs its download hosts), else apt installs
 * Debian's when root on a Debian-like system. Returns the path, or undefined
 * after saying in one line what to install.
 */
export function obtainBrowser(i: Installer, playwrightCli: string): string | undefined {
  const first = i.locate();
  if (first.problem) {
    i.say(`gmem pretest: ${first.problem}; fix it or unset it`);
    return undefined;
  }
  if (first.path) return first.path;
  i.say('gmem pretest: no Chromium found for the viewer test; trying `playwright install chromium`');
  if (i.run(process.execPath, [playwrightCli, 'install', 'chromium']) === 0) {
    const found = i.locate().path;
    if (found) return found;
  }
  if (i.isRoot && i.debianLike) {
    i.say('gmem pretest: playwright could not install it; trying `apt-get install chromium` (root, Debian-like system)');
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    if (i.run('apt-get', ['update', '-qq'], env) === 0 && i.run('apt-get', ['install', '-y', '-qq', 'chromium'], env) === 0) {
      const found = i.locate().path;
      if (found) return found;
    }
  }
  i.say(`gmem pretest: ${INSTALL_HINT}`);
  return undefined;
}

/** /etc/os-release says debian (or like it), or /etc/debian_version exists. */
export function isDebianLike(readOsRelease: () => string = () => readFileSync('/etc/os-release', 'utf8'), debianVersion = existsSync('/etc/debian_version')): boolean {
  if (debianVersion) return true;
  try {
    const text = readOsRelease();
    return /^(ID|ID_LIKE)=.*\bdebian\b/m.test(text.replace(/"/g, ''));
  } catch {
    return false;
  }
}
