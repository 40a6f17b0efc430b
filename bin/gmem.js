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

/**
 * `--help`, `--version`, `help CMD` and `CMD --help` from the texts the build
 * stored (dist/help-index.json), without loading the commands. Anything else,
 * an unknown command included, goes to the CLI itself.
 */
function fromHelpIndex(argv) {
  let index;
  try {
    index = require('../dist/help-index.json');
  } catch {
    return undefined;
  }
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') return { text: index.version, code: 0 };
  if (name === undefined) return { text: index.top, code: 2 };
  if ((name === '--help' || name === '-h' || name === 'help') && rest.length === 0) return { text: index.top, code: 0 };
  if (name === 'help' && index.commands[rest[0]] !== undefined) return { text: index.commands[rest[0]], code: 0 };
  if (index.commands[name] !== undefined && (rest.includes('--help') || rest.includes('-h'))) return { text: index.commands[name], code: 0 };
  return undefined;
}

let cli;
const state = distState();
const quick = state === 'fresh' ? fromHelpIndex(process.argv.slice(2)) : undefined;
if (quick) {
  process.stdout.write(quick.text);
  process.exitCode = quick.code;
  return;
}
if (state === 'fresh') {
  cli = require('../dist/src/cli/main.js');
} else {
  process.stderr.write(`gmem: note: dist/ is ${state === 'missing' ? 'missing' : 'older than the sources'}; running the TypeScript through tsx (slower start). \`npm run build\` compiles it.\n`);
  require('tsx/cjs');
  cli = require('../src/cli/main.ts');
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
