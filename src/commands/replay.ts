/**
 * `gmem replay FILE... [--json]`: runs gmem-trace/1 files on fresh simulators
 * (docs/TRACE-FORMAT.md, replay). One `pass NAME` or `FAIL NAME` line per
 * trace, with the failing step's index, op, expectation and outcome. Exit 0
 * when all pass, 1 when a trace failed, 2 when a file is not a valid trace
 * (2 wins).
 */
import type { Command } from '../cli';
import type { TraceResult } from '../trace/replay';
import { loadTrace, runTrace } from '../trace/replay';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from '../usage-error';

type FileResult = { file: string; status: 'pass' | 'FAIL'; result: TraceResult } | { file: string; status: 'INVALID'; message: string };

export function replayFiles(files: ReadonlyArray<string>): FileResult[] {
  return files.map((file): FileResult => {
    const loaded = loadTrace(file);
    if (!loaded.ok) return { file, status: 'INVALID', message: loaded.message };
    const result = runTrace(loaded.trace);
    return { file, status: result.pass ? 'pass' : 'FAIL', result };
  });
}

export function exitStatus(results: ReadonlyArray<FileResult>): number {
  if (results.some((r) => r.status === 'INVALID')) return EXIT_USAGE;
  if (results.some((r) => r.status === 'FAIL')) return EXIT_FAILED;
  return EXIT_OK;
}

function render(r: FileResult): string {
  if (r.status === 'INVALID') return r.message;
  const line = `${r.status} ${r.result.name}`;
  const f = r.result.failure;
  if (!f) return line;
  const where = f.step < 0 ? 'at the end' : `step ${f.step} (${f.op})`;
  return `${line}\n  ${where}: expected ${f.expected}\n  ${' '.repeat(where.length)}  actual   ${f.actual}`;
}

export const replayCommand: Command = {
  name: 'replay',
  summary: 'run gmem-trace/1 files against the simulator, checking every invariant after every step',
  usage: 'Usage: gmem replay FILE... [--json]\n\nExit status: 0 all passed, 1 a trace failed, 2 a file is not a valid trace.',
  options: { json: { type: 'boolean' } },
  allowPositionals: true,
  run(values, files) {
    if (files.length === 0) throw new UsageError('replay: name at least one trace file');
    const results = replayFiles(files);
    if (values['json']) {
      process.stdout.write(`${JSON.stringify(results.map((r) => (r.status === 'INVALID' ? r : { file: r.file, status: r.status, name: r.result.name, failure: r.result.failure, excused: r.result.excused })), null, 2)}\n`);
    } else {
      for (const r of results) (r.status === 'INVALID' ? process.stderr : process.stdout).write(`${render(r)}\n`);
    }
    return exitStatus(results);
  },
};
