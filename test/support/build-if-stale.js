// jest globalSetup: the CLI tests run the compiled bin/gmem.js, which falls
// back to tsx (and says so on stderr) when dist/ is older than the sources.
// After `npm ci` dist/ is fresh and this costs a stat walk; after an edit it
// recompiles once (a few seconds) instead of every spawned CLI paying tsx.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { distState } = require('../../scripts/build-stamp');

module.exports = async function buildIfStale() {
  if (distState() === 'fresh') return;
  const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build.js')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed: the CLI tests need dist/');
};
