/**
 * The walk the command line asks for: `--only`, `--shard` and
 * `--seeded-bug` read from the options and checked, then that part of the
 * walk run (or only listed). A selection that matches no row is bad input.
 */
import type { FaultName } from '../interpreter/config';
import { FAULTS } from '../interpreter/config';
import { InputError } from '../input-error';
import type { WalkOptions, WalkReport } from './run-walks';
import { runWalks } from './run-walks';
import { parseShard, rowMatcher } from './select';

/** Where a walk writes its failing block paths as gmem-trace/1 files unless told otherwise. */
export const DEFAULT_TRACE_DIR = 'test-output/walk-failures';

export interface WalkSelection {
  only: string[];
  shard: { index: number; count: number } | undefined;
  /** seeded bugs in the simulator: shows the walk (and a CI's reports) catching one. */
  faults?: FaultName[];
}

export function selectionOf(values: Record<string, unknown>): WalkSelection {
  const only = (values['only'] as string[] | undefined) ?? [];
  if (only.some((p) => p.trim() === '')) throw new InputError('walk: --only needs a pattern (a use case or setting name, or part of one)');
  const faults = (values['seeded-bug'] as string[] | undefined) ?? [];
  for (const f of faults) if (!FAULTS.includes(f as FaultName)) throw new InputError(`walk: --seeded-bug must be one of ${FAULTS.join(', ')}, got '${f}'`);
  return { only, shard: values['shard'] === undefined ? undefined : parseShard(values['shard'] as string), ...(faults.length ? { faults: faults as FaultName[] } : {}) };
}

/** Runs (or with `listOnly` only numbers) the selected part of the walk. */
export function walkSelection(sel: WalkSelection, options: Omit<WalkOptions, 'select' | 'shard' | 'faults'>): WalkReport {
  const report = runWalks({
    ...options,
    ...(sel.only.length ? { select: rowMatcher(sel.only) } : {}),
    ...(sel.shard ? { shard: sel.shard } : {}),
    ...(sel.faults ? { faults: sel.faults } : {}),
  });
  if (report.rows.length === 0) throw new InputError(`walk: --only ${sel.only.map((p) => `'${p}'`).join(', ')} matches no use case, walk or setting (gmem walk --list shows them)`);
  return report;
}
