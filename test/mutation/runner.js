/**
 * Jest's own runner, one test file at a time, stopping at the first failure
 * of the run. Stryker's jest runner cannot bail and runs jest in band once
 * per mutant: without this, a mutant killed by the first file still loads
 * and collects every later file that reaches it (a third of a second each).
 * A stopped run reports the files it ran; the failure among them is the
 * kill, so no verdict changes.
 */
const TestRunner = require('jest-runner').default;
const { currentRun } = require('./run-state');

class StopAtFirstFailureRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    if (!options.serial) return super.runTests(tests, watcher, options);
    for (const test of tests) {
      if (currentRun().failed || watcher.isInterrupted()) break;
      await super.runTests([test], watcher, options);
    }
    return undefined;
  }
}
module.exports = StopAtFirstFailureRunner;
