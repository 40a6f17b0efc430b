/**
 * The test environment of the mutation run: jest's node environment, plus
 * one correction to Stryker's per-test coverage. Stryker counts a mutant
 * that runs outside any test (while a file is collected, in a beforeAll) as
 * "static", and runs every test of every file against it: most of the core
 * runs at collection here (generated paths and tables feed it.each, the
 * machines are built when a file imports them), which made 88% of the
 * mutants static and a full run about five hours. Jest loads a fresh module
 * registry per test file, and Stryker's jest runner activates a mutant for
 * the whole run, so a mutant reached while file F was being set up can
 * affect only F's tests: those are the tests credited here. Tests that
 * share nothing across files make this exact; a shared cache on disk would
 * not, and the core's tests keep none.
 */
const { TestEnvironment } = require('jest-environment-node');
const { currentRun, recordTests } = require('./run-state');

/** A test's id as Stryker's jest runner names it (describe names, then the test's, space-separated). */
function fullName(test) {
  const names = [];
  for (let block = test.parent; block && block.parent; block = block.parent) names.unshift(block.name);
  return [...names, test.name].join(' ').trimStart();
}

class PerFileCoverageEnvironment extends TestEnvironment {
  #tests = new Set();
  #before;
  #rootDir;
  #testPath;

  constructor(config, context) {
    super(config, context);
    this.#rootDir = config.projectConfig.rootDir;
    this.#testPath = context.testPath;
  }

  #coverage() {
    const context = this.global[this.global.__strykerGlobalNamespace__ ?? '__stryker__'];
    return context && context.mutantCoverage;
  }

  async setup() {
    await super.setup();
    const coverage = this.#coverage();
    this.#before = coverage ? { ...coverage.static } : undefined;
  }

  /**
   * Stryker's jest runner cannot bail (jest offers no bail to runCLI), so it
   * would run every test that reaches a mutant already killed: after the
   * first failure of a run the remaining tests are skipped, which changes no
   * verdict (killed stays killed) and saves most of a killed mutant's time.
   */
  async handleTestEvent(event) {
    if (event.name === 'test_start') {
      this.#tests.add(fullName(event.test));
      if (currentRun().failed) event.test.mode = 'skip';
    } else if (event.name === 'test_done' && event.test.errors.length > 0) {
      currentRun().failed = true;
    }
  }

  async teardown() {
    const coverage = this.#coverage();
    if (coverage && this.#before) recordTests(this.#rootDir, this.#testPath, [...this.#tests]);
    if (coverage && this.#before && this.#tests.size > 0) {
      for (const [id, hits] of Object.entries(coverage.static)) {
        const added = hits - (this.#before[id] ?? 0);
        if (added <= 0) continue;
        for (const test of this.#tests) {
          const perTest = (coverage.perTest[test] ??= {});
          perTest[id] = (perTest[id] ?? 0) + added;
        }
        coverage.static[id] = hits - added;
        if (coverage.static[id] === 0) delete coverage.static[id];
      }
    }
    await super.teardown();
  }
}

module.exports = PerFileCoverageEnvironment;
