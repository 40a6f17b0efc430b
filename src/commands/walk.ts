/**
 * `gmem walk` (npm start): every generated path through the machines, run on
 * fresh simulators; the table of use cases and walks, the coverage, the wall
 * time. Exit 1 when a path fails or anything is left uncovered.
 */
import type { Command } from '../cli';
import { runWalks } from '../walk/run-walks';
import { EXIT_FAILED, EXIT_OK } from '../usage-error';
import { progressBar, renderWalk } from './walk-report';

export const DEFAULT_TRACE_DIR = 'test-output/walk-failures';

export const walkCommand: Command = {
  name: 'walk',
  summary: 'run the model-based walks (every transition, every use case) against the simulator, with coverage',
  usage: `Usage: gmem walk [--json] [--traces DIR]\n\nFailing block paths are written as gmem-trace/1 files under DIR (default ${DEFAULT_TRACE_DIR}).`,
  options: { json: { type: 'boolean' }, traces: { type: 'string' } },
  allowPositionals: false,
  run(values) {
    const start = Date.now();
    const onProgress = values['json'] ? undefined : progressBar(process.stderr);
    const report = runWalks({ traceDir: (values['traces'] as string | undefined) ?? DEFAULT_TRACE_DIR, ...(onProgress ? { onProgress } : {}) });
    const wallMs = Date.now() - start;
    if (values['json']) {
      const { failures, ...rest } = report;
      process.stdout.write(`${JSON.stringify({ ...rest, failures: failures.map((f) => ({ step: f.step, message: f.message, story: f.story })), wallMs }, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderWalk(report, wallMs)}\n`);
    }
    return report.failures.length === 0 && report.complete ? EXIT_OK : EXIT_FAILED;
  },
};
