/**
 * The tests Stryker runs against each mutant of the core (`npm run mutation`):
 * those that exercise machines/, src/interpreter, src/arena, src/invariants
 * and src/engine in-process. Tests that spawn bin/gmem.js run the unmutated
 * dist/ and cannot kill a mutant; browser, kernel and compiler tests are left
 * to npm test. Which files, and in what order: core-tests.js; which of them
 * a mutant run loads: sequencer.js; how coverage is credited and why a run
 * stops at its first failure: environment.js and runner.js.
 */
const base = require('../../jest.config.js');

// One seed for every property, so a mutant is killed or survives the same way on every run.
process.env.GMEM_SEED = process.env.GMEM_SEED || '1';

const { CORE_TESTS } = require('./core-tests');

module.exports = {
  // Stryker's per-test coverage, with what a file runs outside its tests credited to its tests.
  testEnvironment: require('node:path').join(__dirname, 'environment.js'),
  rootDir: require('node:path').join(__dirname, '..', '..'),
  // The sources beside the tests: Stryker's per-test coverage must see them; the rest of the tree need not be crawled.
  roots: ['<rootDir>/test', '<rootDir>/machines', '<rootDir>/src'],
  testMatch: CORE_TESTS.map((name) => `<rootDir>/test/${name}.test.ts`),
  // <rootDir>-anchored: Stryker's sandbox itself lies under .stryker-tmp.
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp', '<rootDir>/dist'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.stryker-tmp', '<rootDir>/dist'],
  // Type errors in a mutant are the TypeScript checker's to report; here each file is only transpiled.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false, isolatedModules: true }] },
  setupFilesAfterEnv: base.setupFilesAfterEnv,
  testSequencer: require('node:path').join(__dirname, 'sequencer.js'),
  runner: require('node:path').join(__dirname, 'runner.js'),
};
