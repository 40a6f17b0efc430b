/**
 * `gmem replay FILE... [--json] [--reporter text|tap|junit]`: runs
 * gmem-trace/1 files on fresh simulators (docs/TRACE-FORMAT.md, replay); `-`
 * reads one trace from standard input. Text: one `pass NAME` or
 * `FAIL NAME (FILE)` line per trace, a failure's step, expectation and
 * outcome and the block(s) the step touched drawn as the tests draw them,
 * then `N passed, M failed`. Exit 0 when all pass, 1 when a trace failed, 2
 * when a file is not a valid trace (2 wins).
 */
import type { Command } from '../command';
import { toJunit } from '../../present/report/junit';
import { toKtap } from '../../present/report/ktap';
import type { FileReport } from '../../present/report/replay-report';
import { asJson, asTestResult, render, summaryLine, withFailurePictures } from '../../present/report/replay-report';
import { reporterOf } from '../../present/report/test-result';
import { replayFiles, STDIN } from '../../trace/replay-files';
import { InputError } from '../../input-error';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes';

function exitStatus(results: ReadonlyArray<FileReport>): number {
  if (results.some((r) => r.status === 'INVALID')) return EXIT_USAGE;
  if (results.some((r) => r.status === 'FAIL')) return EXIT_FAILED;
  return EXIT_OK;
}

export const replayCommand: Command = {
  name: 'replay',
  summary: 'run gmem-trace/1 files against the simulator, checking every invariant after every step',
  usage:
    'Usage: gmem replay FILE... [--json | --reporter text|tap|junit]\n\n' +
    'Runs each trace (docs/TRACE-FORMAT.md) on a fresh simulator; `-` reads a trace from standard input.\n' +
    'Ends with `N passed, M failed` (an invalid file counts as failed). A trace that breaks an invariant\n' +
    'as it declares passes and says so: `pass NAME (INV-9 broken as declared: K2)`.\n' +
    'A failure draws the blocks its step touched: shareability |SP|, folios [ss], pins per page. A block\n' +
    'of more than 32 pages is drawn in runs: a mark repeated n times is `mark×n`, runs are separated by\n' +
    'spaces: `|P S P×510|` is a private page, a shared one, then 510 private; `pins 0 1 0×510` likewise.\n' +
    'Exit status: 0 all passed, 1 a trace failed, 2 a file is not a valid trace.',
  options: { json: { type: 'boolean' }, reporter: { type: 'string' } },
  optionHelp: {
    json: 'print the results as JSON (an array, one object per file; `expected` is a JSON value)',
    reporter: 'text (default), tap (KTAP as kselftest prints it) or junit (JUnit XML, the setting as the suite)',
  },
  examples: ['gmem replay test/traces/*.json', 'cat trace.json | gmem replay --reporter tap -'],
  allowPositionals: true,
  run(values, files) {
    const reporter = reporterOf('replay', values);
    if (files.length === 0) throw new InputError('replay: name at least one trace file');
    if (files.filter((f) => f === STDIN).length > 1) throw new InputError('replay: standard input (-) can be named once');
    const results = replayFiles(files).map(withFailurePictures);
    if (values['json']) {
      process.stdout.write(`${JSON.stringify(results.map(asJson), null, 2)}\n`);
    } else if (reporter === 'tap') {
      process.stdout.write(toKtap(results.map(asTestResult)));
    } else if (reporter === 'junit') {
      process.stdout.write(`${toJunit('gmem replay', results.map(asTestResult))}\n`);
    } else {
      for (const r of results) (r.status === 'INVALID' ? process.stderr : process.stdout).write(`${render(r)}\n`);
      process.stdout.write(`${summaryLine(results)}\n`);
    }
    return exitStatus(results);
  },
};
