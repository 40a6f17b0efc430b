/**
 * `gmem coverage [--result FILE]... [--fresh] [--json]`: what the generated
 * walks exercised (states, (state, event) pairs with refusals, guard
 * branches, use cases, invariants evaluated), each covered/total with the
 * uncovered named. Reads the result file the last `gmem walk` wrote instead
 * of walking again, says when the code changed since (stale), and merges
 * the result files of the shards of one walk. `--fresh` walks first.
 * Exit 1 when anything is below 100%, a path failed, or the walk was partial
 * (--only, or a shard missing): 100% of a part says nothing of the whole.
 */
import type { Command } from '../command';
import { checkOutputPath, writeOutputFile } from '../output-file';
import { fitWidth } from '../../present/report/fit-width';
import { progressBar } from '../../present/report/progress-bar';
import { renderCoverage, rowLines } from '../../present/report/walk-report';
import type { WalkResult } from '../../present/report/walk-result';
import { codeFingerprint, DEFAULT_RESULT, mergeResults, readWalkResult, resultFileToWrite, walkResultOf } from '../../present/report/walk-result';
import { DEFAULT_TRACE_DIR, selectionOf, walkSelection } from '../../walk/selected-walk';
import { InputError } from '../../input-error';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';

export const coverageCommand: Command = {
  name: 'coverage',
  summary: 'report what the last walk covered (from its result file); exit 1 below 100%',
  usage:
    'Usage: gmem coverage [--result FILE]... [--fresh [--only PATTERN]...] [--json]\n\n' +
    `Reads the result file \`gmem walk\` wrote (default ${DEFAULT_RESULT}) and reports each kind of\n` +
    'coverage with what is uncovered; says when the code has changed since that walk. Several --result\n' +
    'files (the shards of one walk) are merged. A partial walk (--only, or not every shard given) is\n' +
    'reported as partial and fails. Exit status: 0 the whole walk covered everything and no path failed,\n' +
    '1 otherwise, 2 bad input.',
  options: { json: { type: 'boolean' }, fresh: { type: 'boolean' }, only: { type: 'string', multiple: true }, result: { type: 'string', multiple: true } },
  optionHelp: {
    json: 'print the coverage as JSON',
    fresh: 'run the walk first (and write its result file) instead of reading the last one',
    only: 'with --fresh: walk only the rows whose use case, walk or setting contains PATTERN (as gmem walk --only)',
    result: `a walk result file to read (default ${DEFAULT_RESULT}); repeat it for the shards of one walk`,
  },
  examples: ['gmem coverage', 'gmem coverage --result walk-1.json --result walk-2.json --result walk-3.json'],
  allowPositionals: false,
  run(values) {
    const files = (values['result'] as string[] | undefined) ?? [DEFAULT_RESULT];
    let merged: WalkResult & { missingShards: number[] };
    if (values['fresh']) {
      if (files.length > 1) throw new InputError('coverage: --fresh writes one result file: give at most one --result');
      const file = resultFileToWrite(files[0]);
      checkOutputPath(file, 'coverage: --result');
      const hooks = values['json'] ? {} : { ...(progressBar(process.stderr) ? { onProgress: progressBar(process.stderr)! } : {}), ...(rowLines(process.stderr) ? { onRow: rowLines(process.stderr)! } : {}) };
      const sel = selectionOf({ only: values['only'] });
      const start = Date.now();
      const report = walkSelection(sel, { traceDir: DEFAULT_TRACE_DIR, ...hooks });
      const result = walkResultOf(sel, report, Date.now() - start);
      writeOutputFile(file, `${JSON.stringify(result)}\n`, 'walk: --result');
      merged = { ...result, missingShards: [] };
    } else {
      if (values['only']) throw new InputError('coverage: --only selects what --fresh walks; without --fresh the result file says what was walked');
      merged = mergeResults(files.map(readWalkResult), files);
    }
    const stale = merged.fingerprint !== codeFingerprint();
    const failed = merged.failures.length;
    const partial = merged.only.length > 0 || merged.missingShards.length > 0;
    const ok = merged.complete && failed === 0 && !partial;
    if (values['json']) {
      process.stdout.write(
        `${JSON.stringify({ complete: merged.complete, partial, failed, stale, missingShards: merged.missingShards, only: merged.only, writtenAt: merged.writtenAt, results: files, coverage: merged.coverage }, null, 2)}\n`,
      );
    } else {
      const from = values['fresh'] ? `the walk just run (${files[0]})` : `the walk of ${merged.writtenAt} (${files.join(', ')})`;
      const lines = [`From ${from}${merged.only.length ? `, --only ${merged.only.map((p) => `'${p}'`).join(' ')}` : ''}:`, renderCoverage(merged.coverage)];
      if (merged.missingShards.length) lines.push(`Shard(s) ${merged.missingShards.join(', ')} of ${merged.shard?.count ?? files.length} missing: this coverage is partial.`);
      if (merged.only.length) lines.push(`Partial walk (--only ${merged.only.map((p) => `'${p}'`).join(' ')}): coverage of this part only; the gate needs the whole walk.`);
      if (failed) lines.push(`${failed} path(s) failed: run gmem walk.`);
      process.stdout.write(`${fitWidth(lines.join('\n'))}\n`);
    }
    if (stale) process.stderr.write(`${fitWidth('gmem: coverage: note: stale result: machines/ or src/ changed since that walk; run `gmem walk` again (or `gmem coverage --fresh`)')}\n`);
    return ok ? EXIT_OK : EXIT_FAILED;
  },
};
