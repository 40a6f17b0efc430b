'use strict';
/**
 * Is dist/ current? It is when it exists and was built after the last change
 * to any file under the compiled directories. Shared by bin/gmem.js (run the
 * compiled code or fall back to tsx) and the test setup (rebuild when stale),
 * so both judge freshness the same way. A stat walk of ~100 files: a few ms.
 */
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const SOURCE_DIRS = ['machines', 'src', 'visualize'];

function newestSource(dir = null) {
  let newest = 0;
  const visit = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) visit(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const d of dir ? [dir] : SOURCE_DIRS.map((s) => join(ROOT, s))) visit(d);
  return newest;
}

/** 'fresh', 'missing' or 'stale'. */
function distState() {
  let builtAt;
  try {
    builtAt = JSON.parse(readFileSync(join(ROOT, 'dist', 'build-stamp.json'), 'utf8')).builtAt;
  } catch {
    return 'missing';
  }
  return newestSource() > builtAt ? 'stale' : 'fresh';
}

module.exports = { ROOT, SOURCE_DIRS, distState, newestSource };
