#!/usr/bin/env node
'use strict';
// Runs the TypeScript sources directly through tsx, so `npx gmem` works right
// after `npm ci` with no build step.
require('tsx/cjs');

// A reader that stops early (`gmem spec | head`) is not an error of ours.
process.stdout.on('error', (err) => {
  if (err && err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { main } = require('../src/cli.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`gmem: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70;
  },
);
