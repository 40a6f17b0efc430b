/**
 * Replaying trace files as `gmem replay` names them: each file (or `-`,
 * standard input) loaded and run on a fresh simulator, timed; a file that is
 * not a valid trace, or turns out invalid while running (TRACE-FORMAT
 * Validity), is reported as such instead of run.
 */
import { readFileSync } from 'node:fs';
import type { Trace } from './schema';
import type { TraceResult } from './replay';
import { configOf, loadTrace, runTrace } from './replay';

/** The file name that reads a trace from standard input. */
export const STDIN = '-';

export type ReplayedFile =
  | { file: string; status: 'pass' | 'FAIL'; result: TraceResult; trace: Trace; setting: string; ms: number }
  | { file: string; status: 'INVALID'; message: string };

function settingOf(trace: Trace): string {
  const c = configOf(trace);
  return `${c.variant} ${c.vmType}`;
}

export function replayFiles(files: ReadonlyArray<string>, readStdin: () => string = () => readFileSync(0, 'utf8')): ReplayedFile[] {
  return files.map((file): ReplayedFile => {
    const loaded = file === STDIN ? loadTrace('(stdin)', readStdin()) : loadTrace(file);
    const name = file === STDIN ? '(stdin)' : file;
    if (!loaded.ok) return { file: name, status: 'INVALID', message: loaded.message };
    const start = process.hrtime.bigint();
    const result = runTrace(loaded.trace);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    // Invalid input found while running (TRACE-FORMAT Validity): exit 2, as for a file the loader refuses.
    if (result.invalid) return { file: name, status: 'INVALID', message: `INVALID FILE: ${name}: ${result.invalid.path}: ${result.invalid.what}` };
    return { file: name, status: result.pass ? 'pass' : 'FAIL', result, trace: loaded.trace, setting: settingOf(loaded.trace), ms };
  });
}
