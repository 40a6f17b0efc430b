// Prints the plain closing line CI reads ("jest: N passed, N failed, N skipped"):
// jest's own "Tests:" line is not one of the formats CI recognises.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\njest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
