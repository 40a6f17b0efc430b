#!/usr/bin/env node
'use strict';
/**
 * `npm test` runs this first (the `pretest` script): the viewer test drives a
 * real Chromium, and the README promises that `npm ci && npm test` obtains
 * whatever the tests need. The lookup and the install order live in
 * test/support/find-browser.ts (unit-tested there); this only wires them to
 * the real machine. Exit 1 with one line when no browser can be had.
 */
const { spawnSync } = require('node:child_process');
const { dirname, join } = require('node:path');
require('tsx/cjs');
const { isDebianLike, locateBrowser, obtainBrowser } = require('../test/support/find-browser.ts');

const found = obtainBrowser(
  {
    locate: () => locateBrowser(),
    run: (command, args, env) => {
      const r = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
      return r.status ?? 1;
    },
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    debianLike: process.platform === 'linux' && isDebianLike(),
    say: (line) => process.stderr.write(`${line}\n`),
  },
  // playwright-core (a dependency) carries the same installer as `npx playwright`, at the version the tests use.
  join(dirname(require.resolve('playwright-core/package.json')), 'cli.js'),
);
if (!found) process.exit(1);
