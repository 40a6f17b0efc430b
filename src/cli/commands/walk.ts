/**
 * `gmem walk` (npm start): every generated path through the machines, run on
 * fresh simulators; the table of use cases and walks with the time of each
 * row, the coverage, the wall time. Writes the result file `gmem coverage`
 * reads. Exit 1 when a path fails, or (whole walk only) anything is left
 * uncovered.
 */
import type { Command } from '../command';
import { checkOutputPath, ensureOutputDir, writeOutputFile } from '../output-file';
import { fitWidth } from '../../present/report/fit-width';
import { toJunit } from '../../present/report/junit';
import { toKtap } from '../../present/report/ktap';
import { progressBar } from '../../present/report/progress-bar';
import type { TestResult } from '../../present/report/test-result';
import { reporterOf } from '../../present/report/test-result';
import { pathName, renderWalk, rowLines } from '../../present/report/walk-report';
import { DEFAULT_RESULT, resultFileToWrite, walkResultOf } from '../../present/report/walk-result';
import type { WalkPath } from '../../walk/block-walk';
import { FAULTS } from '../../interpreter/config';
import type { MachinePath } from '../../walk/machine-walks';
import type { WalkFailure, WalkRow } from '../../walk/run-walks';
import type { WalkSelection } from '../../walk/selected-walk';
import { DEFAULT_TRACE_DIR, selectionOf, walkSelection } from '../../walk/selected-walk';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';

export const walkCommand: Command = {
  name: 'walk',
  summary: 'walk every generated path (transitions, use cases) on the simulator, with coverage',
  usage:
    'Usage: gmem walk [--json | --reporter text|tap|junit] [--only PATTERN]... [--shard i/n] [--list]\n' +
    '                 [--traces DIR] [--result FILE] [--seeded-bug NAME]\n\n' +
    'Walks every generated path on a fresh simulator; prints a row per use case or walk and setting with its\n' +
    'time, then the coverage. Without a terminal it prints one line per finished row as it goes (stderr).\n' +
    'Exit status: 0 every path passed (and, for the whole walk, coverage is 100%), 1 otherwise, 2 bad input.\n' +
    'With --only or --shard the coverage is partial by construction and does not decide the exit status:\n' +
    '`gmem coverage --result FILE...` over all the shards\' result files does.',
  options: {
    json: { type: 'boolean' },
    reporter: { type: 'string' },
    only: { type: 'string', multiple: true },
    shard: { type: 'string' },
    list: { type: 'boolean' },
    traces: { type: 'string' },
    result: { type: 'string' },
    'seeded-bug': { type: 'string', multiple: true },
  },
  optionHelp: {
    json: 'print the report as JSON: rows, failures (setting, use case, trace file), coverage',
    reporter: 'text (default), tap (KTAP, one `ok N` per path) or junit (one testcase per path, suite = setting)',
    only: 'run only the rows whose use case, walk or setting contains PATTERN (case-insensitive, * = anything); repeatable',
    shard: 'run only shard i of n: every n-th path from the i-th, so n machines together run the whole walk once',
    list: 'print the selected paths, one a line (row | path), without running them; with --shard, that shard\'s',
    traces: `write failing block paths as gmem-trace/1 files under DIR (default ${DEFAULT_TRACE_DIR})`,
    result: `write the result file gmem coverage reads to FILE (default ${DEFAULT_RESULT})`,
    'seeded-bug': `run the simulator with a seeded bug (${FAULTS.join(', ')}) to see the walk and its reports catch it`,
  },
  examples: ['gmem walk --only tdx --reporter tap', 'gmem walk --shard 2/3 --result walk-2.json --reporter junit > walk-2.xml'],
  allowPositionals: false,
  run(values) {
    const reporter = reporterOf('walk', values);
    const sel = selectionOf(values);
    if (values['list']) return listPaths(sel);
    const traceDir = (values['traces'] as string | undefined) ?? DEFAULT_TRACE_DIR;
    ensureOutputDir(traceDir, 'walk: --traces');
    const resultFile = resultFileToWrite(values['result'] as string | undefined);
    checkOutputPath(resultFile, 'walk: --result');
    const results: TestResult[] = [];
    const numberInRow = new Map<string, number>();
    const collect = reporter !== 'text' && !values['json'];
    const start = Date.now();
    const report = walkSelection(sel, {
      traceDir,
      ...(values['json'] || collect ? {} : { onProgress: progressBar(process.stderr) }),
      ...(rowLines(process.stderr) ? { onRow: rowLines(process.stderr)! } : {}),
      ...(collect
        ? {
            onPath: (row: WalkRow, path: WalkPath | MachinePath, failure: WalkFailure | undefined, ms: number) => {
              const suite = `${row.group} (${row.setting})`;
              const n = (numberInRow.get(suite) ?? 0) + 1;
              numberInRow.set(suite, n);
              results.push({
                suite,
                name: `path ${n} ${pathName(path)}`,
                status: failure ? 'fail' : 'pass',
                diagnostics: failure ? [`at step ${failure.step}: ${failure.message}`, ...failure.story, ...(failure.traceFile ? [`replay it: npx gmem replay ${failure.traceFile}`] : [])] : [],
                time: ms / 1000,
                ...(failure?.traceFile ? { file: failure.traceFile } : {}),
              });
            },
          }
        : {}),
    });
    const result = walkResultOf(sel, report, Date.now() - start);
    writeOutputFile(resultFile, `${JSON.stringify(result)}\n`, 'walk: --result');
    const partial = sel.only.length > 0 || sel.shard !== undefined || sel.faults !== undefined;
    if (values['json']) process.stdout.write(`${JSON.stringify({ ...result, traces: report.traces, result: resultFile }, null, 2)}\n`);
    else if (reporter === 'tap') process.stdout.write(toKtap(results));
    else if (reporter === 'junit') process.stdout.write(`${toJunit('gmem walk', results, result.wallMs / 1000)}\n`);
    else {
      process.stdout.write(`${renderWalk({ ...report, failures: result.failures }, result.wallMs)}\n`);
      if (partial) process.stdout.write(`${fitWidth(`Partial walk (${[sel.only.map((p) => `--only '${p}'`).join(' '), sel.shard ? `--shard ${sel.shard.index}/${sel.shard.count}` : ''].filter(Boolean).join(', ')}): coverage counts this part only.`)}\n`);
    }
    return report.failures.length === 0 && (report.complete || partial) ? EXIT_OK : EXIT_FAILED;
  },
};

/** `--list`: the selected paths, numbered across the whole walk, without running them. */
function listPaths(sel: WalkSelection): number {
  const lines: string[] = [];
  // The walk's own selection and sharding, only not run: what `gmem walk` with the same flags runs.
  const report = walkSelection({ only: sel.only, shard: sel.shard }, { listOnly: true, onPath: (row, path) => void lines.push(`${row.group} (${row.setting}) | ${pathName(path)}`) });
  process.stdout.write(lines.length ? `${lines.join('\n')}\n` : '');
  process.stderr.write(`${lines.length} paths in ${report.rows.length} rows${sel.shard ? ` (shard ${sel.shard.index}/${sel.shard.count})` : ''}\n`);
  return EXIT_OK;
}
