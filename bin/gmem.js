#!/usr/bin/env node
'use strict';
// Runs the JavaScript that `npm ci` compiled into dist/ (the `prepare`
// script), so a start costs no TypeScript compilation. When dist/ is missing
// or older than the sources (an edit since the last build), runs the sources
// through tsx instead, and says so once on stderr.
const { distState } = require('../scripts/build-stamp');

// A reader that stops early (`gmem spec | head`) is not an error of ours.
process.stdout.on('error', (err) => {
  if (err && err.code === 'EPIPE') process.exit(0);
  throw err;
});

let cli;
const state = distState();
if (state === 'fresh') {
  cli = require('../dist/src/cli.js');
} else {
  process.stderr.write(`gmem: note: dist/ is ${state === 'missing' ? 'missing' : 'older than the sources'}; running the TypeScript through tsx (slower start). \`npm run build\` compiles it.\n`);
  require('tsx/cjs');
  cli = require('../src/cli.ts');
}

cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`gmem: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70;
  },
);
