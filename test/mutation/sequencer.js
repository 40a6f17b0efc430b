/**
 * Which of the core's test files a mutant run loads, and in what order.
 * Stryker's jest runner runs each mutant with a testNamePattern naming the
 * tests that reach it, yet jest would still load and collect every file (a
 * second or more each, since files generate their cases at collection):
 * files with no such test are dropped, from the dry run's map of tests per
 * file (test/mutation/run-state.js). The rest run soonest-to-kill first
 * (core-tests.js), since the environment skips every test after the first
 * failure.
 */
const Sequencer = require('@jest/test-sequencer').default;
const { CORE_TESTS } = require('./core-tests');
const { startRun, testsByFile } = require('./run-state');

class MutationSequencer extends Sequencer {
  #globalConfig;

  constructor(options) {
    super(options);
    this.#globalConfig = options && options.globalConfig;
  }

  sort(tests) {
    startRun();
    const rank = (t) => {
      const i = CORE_TESTS.indexOf(t.path.split(/[\\/]/).pop().replace(/\.test\.ts$/, ''));
      return i < 0 ? CORE_TESTS.length : i;
    };
    const ordered = [...tests].sort((a, b) => rank(a) - rank(b));
    const pattern = this.#globalConfig && this.#globalConfig.testNamePattern;
    const map = pattern && this.#globalConfig.rootDir ? testsByFile(this.#globalConfig.rootDir) : undefined;
    if (!map) return ordered;
    const wanted = new RegExp(pattern, 'i');
    // A file the dry run did not see is kept: it may hold the test.
    return ordered.filter((t) => !map[t.path] || map[t.path].some((id) => wanted.test(id)));
  }
}
module.exports = MutationSequencer;
