#!/usr/bin/env node
'use strict';
// Runs the TypeScript sources directly through tsx, so `npx gmem` works right
// after `npm ci` with no build step.
require('tsx/cjs');
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
