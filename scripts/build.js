#!/usr/bin/env node
'use strict';
/**
 * `npm run build` (and `prepare`, which `npm ci` runs): compiles machines/,
 * src/ and visualize/ with tsc into dist/ (ignored by git), copies the files
 * they read at run time (visualize/viewer/*, anything not TypeScript) beside
 * the compiled code so `__dirname`-relative paths resolve the same from dist/,
 * stores every help text (dist/help-index.json) and stamps the build so
 * bin/gmem.js can answer --help fast and tell when the sources are newer.
 */
const { spawnSync } = require('node:child_process');
const { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');
const { SOURCE_DIRS } = require('./build-stamp');

function assets(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) assets(path, out);
    else if (!entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

rmSync(DIST, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) {
  // No stamp, no dist: bin/gmem.js falls back to tsx. Under `npm ci` (--prepare) that is a warning, not a
  // failed install: `npm test` type-checks and reports the errors itself.
  rmSync(DIST, { recursive: true, force: true });
  process.stderr.write('gmem build: tsc failed (see above); bin/gmem.js will run the sources through tsx instead.\n');
  process.exit(process.argv.includes('--prepare') ? 0 : tsc.status ?? 1);
}
for (const dir of SOURCE_DIRS) {
  for (const file of assets(join(ROOT, dir))) {
    const target = join(DIST, relative(ROOT, file));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
}
// The help texts, so `gmem --help` answers without loading every command (bin/gmem.js).
writeFileSync(join(DIST, 'help-index.json'), `${JSON.stringify(require(join(DIST, 'src', 'cli', 'main.js')).helpIndex())}\n`);
writeFileSync(join(DIST, 'build-stamp.json'), `${JSON.stringify({ builtAt: Date.now() })}\n`);
