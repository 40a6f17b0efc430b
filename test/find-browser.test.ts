/**
 * The browser lookup and the pretest's install order, on a faked machine:
 * environment, PATH, file system, root or not, Debian or not.
 */
import type { Host, Installer, Lookup } from './support/find-browser';
import { INSTALL_HINT, isDebianLike, locateBrowser, obtainBrowser } from './support/find-browser';

function host(files: string[], env: Record<string, string> = {}, platform = 'linux', home = '/home/u'): Host {
  const set = new Set(files);
  return {
    env,
    platform,
    home,
    isExecutable: (p) => set.has(p),
    list: (dir) => [...new Set(files.filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1).split('/')[0]!))],
  };
}

describe('locateBrowser', () => {
  it('CHROMIUM_PATH wins over everything, then PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH', () => {
    const files = ['/opt/mine/chrome', '/opt/pw/chrome', '/usr/bin/chromium'];
    const env = { CHROMIUM_PATH: '/opt/mine/chrome', PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH: '/opt/pw/chrome', PATH: '/usr/bin' };
    expect(locateBrowser(host(files, env)).path).toBe('/opt/mine/chrome');
    const { CHROMIUM_PATH: _, ...rest } = env;
    expect(locateBrowser(host(files, rest)).path).toBe('/opt/pw/chrome');
  });

  it('an environment variable naming a missing browser is a problem, not a silent fall-through', () => {
    const r = locateBrowser(host(['/usr/bin/chromium'], { CHROMIUM_PATH: '/nope/chrome', PATH: '/usr/bin' }));
    expect(r.path).toBeUndefined();
    expect(r.problem).toBe('CHROMIUM_PATH=/nope/chrome is not an executable file');
  });

  it('looks up the usual names on PATH, in PATH order within each name', () => {
    const env = { PATH: '/a:/b:/c' };
    expect(locateBrowser(host(['/c/chromium-browser', '/b/google-chrome'], env)).path).toBe('/c/chromium-browser');
    expect(locateBrowser(host(['/b/google-chrome', '/c/google-chrome'], env)).path).toBe('/b/google-chrome');
    expect(locateBrowser(host(['/a/chrome'], env)).path).toBe('/a/chrome');
  });

  it('falls back to the fixed Linux locations, and macOS applications on darwin', () => {
    expect(locateBrowser(host(['/snap/bin/chromium'], { PATH: '/usr/local/bin' })).path).toBe('/snap/bin/chromium');
    expect(locateBrowser(host(['/usr/lib64/chromium-browser/chromium-browser'], {})).path).toBe('/usr/lib64/chromium-browser/chromium-browser');
    const mac = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    expect(locateBrowser(host([mac], { PATH: '/usr/bin' }, 'darwin')).path).toBe(mac);
    const userApp = '/Users/u/Applications/Chromium.app/Contents/MacOS/Chromium';
    expect(locateBrowser(host([userApp], {}, 'darwin', '/Users/u')).path).toBe(userApp);
    // Linux locations are not looked at on macOS.
    expect(locateBrowser(host(['/usr/bin/chromium'], {}, 'darwin')).path).toBeUndefined();
  });

  it("finds playwright's cache, newest revision first, full browser before headless shell", () => {
    const cache = '/home/u/.cache/ms-playwright';
    const files = [
      `${cache}/chromium-1100/chrome-linux/chrome`,
      `${cache}/chromium-1255/chrome-linux64/chrome`,
      `${cache}/chromium_headless_shell-1300/chrome-linux/headless_shell`,
      `${cache}/firefox-1572/firefox/firefox`,
    ];
    expect(locateBrowser(host(files)).path).toBe(`${cache}/chromium_headless_shell-1300/chrome-linux/headless_shell`);
    expect(locateBrowser(host(files.filter((f) => !f.includes('1300')))).path).toBe(`${cache}/chromium-1255/chrome-linux64/chrome`);
    expect(locateBrowser(host([`/pw/chromium-7/chrome-linux/chrome`], { PLAYWRIGHT_BROWSERS_PATH: '/pw' })).path).toBe('/pw/chromium-7/chrome-linux/chrome');
    const macCache = '/Users/u/Library/Caches/ms-playwright/chromium-1255/chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing';
    expect(locateBrowser(host([macCache], {}, 'darwin', '/Users/u')).path).toBe(macCache);
  });

  it('a browser on PATH beats a fixed location and the cache', () => {
    const files = ['/usr/bin/chromium', '/home/u/bin/chromium', '/home/u/.cache/ms-playwright/chromium-1/chrome-linux/chrome'];
    expect(locateBrowser(host(files, { PATH: '/home/u/bin' })).path).toBe('/home/u/bin/chromium');
  });

  it('says where it looked when nothing is there', () => {
    const r = locateBrowser(host([], { PATH: '/usr/bin' }));
    expect(r.path).toBeUndefined();
    expect(r.tried).toEqual(expect.arrayContaining(['/usr/bin/chromium', '/usr/bin/google-chrome', '/opt/google/chrome/chrome']));
  });
});

describe('obtainBrowser (the pretest step)', () => {
  function machine(opts: { present?: boolean; playwrightWorks?: boolean; aptWorks?: boolean; isRoot?: boolean; debianLike?: boolean; problem?: string }) {
    let installed = opts.present ?? false;
    const calls: string[] = [];
    const said: string[] = [];
    const installer: Installer = {
      locate: (): Lookup => (opts.problem ? { problem: opts.problem, tried: [] } : installed ? { path: '/usr/bin/chromium', tried: [] } : { tried: [] }),
      run: (command, args) => {
        calls.push([command.endsWith('node') || command === process.execPath ? 'node' : command, ...args].join(' '));
        if (command === 'apt-get' && args[0] === 'install' && opts.aptWorks) installed = true;
        if (command === process.execPath && opts.playwrightWorks) installed = true;
        return (command === 'apt-get' && opts.aptWorks) || (command === process.execPath && opts.playwrightWorks) ? 0 : 1;
      },
      isRoot: opts.isRoot ?? true,
      debianLike: opts.debianLike ?? true,
      say: (l) => said.push(l),
    };
    return { installer, calls, said };
  }

  it('does nothing when a browser is already there', () => {
    const m = machine({ present: true });
    expect(obtainBrowser(m.installer, 'pw-cli.js')).toBe('/usr/bin/chromium');
    expect(m.calls).toEqual([]);
    expect(m.said).toEqual([]);
  });

  it('tries playwright first, and stops there when it works', () => {
    const m = machine({ playwrightWorks: true });
    expect(obtainBrowser(m.installer, 'pw-cli.js')).toBe('/usr/bin/chromium');
    expect(m.calls).toEqual(['node pw-cli.js install chromium']);
  });

  it('falls back to apt-get as root on a Debian-like system', () => {
    const m = machine({ aptWorks: true });
    expect(obtainBrowser(m.installer, 'pw-cli.js')).toBe('/usr/bin/chromium');
    expect(m.calls).toEqual(['node pw-cli.js install chromium', 'apt-get update -qq', 'apt-get install -y -qq chromium']);
  });

  it('never uses apt-get when not root or not Debian-like, and ends with one line saying what to install', () => {
    for (const opts of [{ isRoot: false }, { debianLike: false }]) {
      const m = machine({ aptWorks: true, ...opts });
      expect(obtainBrowser(m.installer, 'pw-cli.js')).toBeUndefined();
      expect(m.calls).toEqual(['node pw-cli.js install chromium']);
      expect(m.said[m.said.length - 1]).toBe(`gmem pretest: ${INSTALL_HINT}`);
    }
  });

  it('when both fail, the last line names the packages and CHROMIUM_PATH', () => {
    const m = machine({});
    expect(obtainBrowser(m.installer, 'pw-cli.js')).toBeUndefined();
    expect(m.said[m.said.length - 1]).toMatch(/apt-get install chromium.*CHROMIUM_PATH=/);
    expect(m.said[m.said.length - 1]).not.toContain('\n');
  });

  it('a CHROMIUM_PATH that points nowhere stops it without installing anything', () => {
    const m = machine({ problem: 'CHROMIUM_PATH=/x is not an executable file', aptWorks: true });
    expect(obtainBrowser(m.installer, 'pw-cli.js')).toBeUndefined();
    expect(m.calls).toEqual([]);
    expect(m.said).toEqual(['gmem pretest: CHROMIUM_PATH=/x is not an executable file; fix it or unset it']);
  });
});

describe('isDebianLike', () => {
  it('reads ID and ID_LIKE from os-release', () => {
    expect(isDebianLike(() => 'ID=ubuntu\nID_LIKE=debian\n', false)).toBe(true);
    expect(isDebianLike(() => 'ID="debian"\n', false)).toBe(true);
    expect(isDebianLike(() => 'ID=fedora\nID_LIKE="rhel centos"\n', false)).toBe(false);
    expect(isDebianLike(() => { throw new Error('ENOENT'); }, false)).toBe(false);
    expect(isDebianLike(() => '', true)).toBe(true);
  });
});

describe('scripts/pretest.js, as npm test runs it', () => {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const { join } = require('node:path') as typeof import('node:path');
  const pretest = (env: Record<string, string>) =>
    spawnSync(process.execPath, [join(__dirname, '..', 'scripts', 'pretest.js')], { encoding: 'utf8', env: { ...process.env, ...env } });

  it('accepts the browser CHROMIUM_PATH names, silently', () => {
    // Any executable will do for the lookup; the viewer test is what launches it.
    const r = pretest({ CHROMIUM_PATH: process.execPath });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('stops with one line when CHROMIUM_PATH names nothing, installing nothing', () => {
    const r = pretest({ CHROMIUM_PATH: '/no/such/chrome' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('gmem pretest: CHROMIUM_PATH=/no/such/chrome is not an executable file; fix it or unset it\n');
  });
});
