/**
 * What the mutation run's sequencer and test environment share within one
 * jest run (Stryker runs jest in band, once per mutant, in one process):
 * whether a test has failed yet, and the dry run's map from test file to
 * the ids of its tests, kept in a file beside the sandbox's sources.
 */
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const KEY = Symbol.for('gmem.mutation.run');

/** Starts a run: nothing has failed yet. */
function startRun() {
  globalThis[KEY] = { failed: false };
}

function currentRun() {
  return (globalThis[KEY] ??= { failed: false });
}

const mapFile = (rootDir) => join(rootDir, 'test-output', 'mutation', 'tests-by-file.json');

const TESTS_BY_FILE = Symbol.for('gmem.mutation.testsByFile');

/** Records a file's test ids (dry run) and writes the whole map again. */
function recordTests(rootDir, testPath, ids) {
  const map = (globalThis[TESTS_BY_FILE] ??= {});
  map[testPath] = ids;
  mkdirSync(dirname(mapFile(rootDir)), { recursive: true });
  writeFileSync(mapFile(rootDir), JSON.stringify(map));
}

/** The dry run's map, or undefined before there is one. */
function testsByFile(rootDir) {
  const file = mapFile(rootDir);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

module.exports = { startRun, currentRun, recordTests, testsByFile };
