/**
 * `gmem coverage [--json]`: runs the generated walks and reports what they
 * exercised (states, (state, event) pairs with refusals, guard branches, use
 * cases, invariants evaluated), each covered/total with the uncovered named.
 * Exit 1 when anything is below 100% or a path failed.
 */
import type { Command } from '../cli';
import { runWalks } from '../walk/run-walks';
import { EXIT_FAILED, EXIT_OK } from '../usage-error';
import { progressBar, renderCoverage } from './walk-report';

export const coverageCommand: Command = {
  name: 'coverage',
  summary: 'report what the generated walks cover; exit 1 below 100%',
  usage: 'Usage: gmem coverage [--json]',
  options: { json: { type: 'boolean' } },
  allowPositionals: false,
  run(values) {
    const onProgress = values['json'] ? undefined : progressBar(process.stderr);
    const report = runWalks(onProgress ? { onProgress } : {});
    if (values['json']) process.stdout.write(`${JSON.stringify({ complete: report.complete, failed: report.failures.length, coverage: report.coverage }, null, 2)}\n`);
    else process.stdout.write(`${renderCoverage(report.coverage)}\n${report.failures.length ? `${report.failures.length} path(s) failed: run gmem walk.\n` : ''}`);
    return report.complete && report.failures.length === 0 ? EXIT_OK : EXIT_FAILED;
  },
};
