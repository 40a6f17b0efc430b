/**
 * The explorer's shortest path to every state it reaches for mainline-6.12
 * in its start scope, as traces for `npm run test:kernel`: the running
 * kernel then walks every state of the model's small file, and judges each
 * step's outcome the model gave. A path that is a prefix of another is left
 * out (the longer one checks its steps), and each kept path ends with a
 * check of what userspace can observe. The explorer's geometry (pageSize
 * 16, one block of two pages) becomes the kernel's through the selftest
 * emitter's scale (src/selftest/scale.ts).
 *
 * An `inject` step is dropped from a path: 6.12 never splits a folio, so an
 * armed split failure changes nothing observable (the explorer counts the
 * armed state apart), and no userspace call arms one (gmem selftest refuses
 * it). Paths that become the same, or a prefix of another, are run once.
 * Paths through a step where model and kernel are known to disagree
 * (known-disagreements.ts) are counted and left out.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY } from '../../machines/policy';
import { takeStep } from '../engine/step';
import { expectOf } from '../explore/counterexample';
import { buildModel } from '../explore/expand';
import { explore } from '../explore/search';
import { START_SCOPE } from '../explore/settings';
import { rootSimulator } from '../explore/state-codec';
import { runTrace, traceConfig } from '../trace/replay';
import type { Trace, TraceStep } from '../trace/schema';
import { knownDisagreement } from './known-disagreements';

/**
 * The start scope without symmetry: every state, renamed twins included, is
 * a trace, so the running kernel also checks what the reduction assumes
 * (that processes are interchangeable).
 */
const SCOPE = { ...START_SCOPE, symmetry: false };

export interface ExplorerTraces {
  /** the trace files written. */
  files: string[];
  /** states the explorer reached (the empty machine not counted). */
  states: number;
  /** paths left out, and why. */
  leftOut: Map<string, number>;
}

const SETTING = { variant: 'mainline-6.12', vmType: 'sw-protected', policy: DEFAULT_POLICY } as const;

/** The paths that are no other path's prefix, each once, in the order given. */
function withoutPrefixes(paths: ReadonlyArray<ReadonlyArray<TraceStep>>): Array<ReadonlyArray<TraceStep>> {
  const keys = paths.map((p) => p.map((step) => JSON.stringify(step)));
  const prefixes = new Set<string>();
  for (const k of keys) for (let n = 0; n < k.length; n++) prefixes.add(k.slice(0, n).join('\n'));
  const seen = new Set<string>();
  return paths.filter((_, i) => {
    const key = keys[i]!.join('\n');
    if (prefixes.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Writes the paths' traces into `dir` (emptied first). */
export async function writeExplorerTraces(dir: string): Promise<ExplorerTraces> {
  const setting = { ...SETTING, policy: { ...SETTING.policy } };
  const result = await explore(setting, SCOPE, { keepPaths: true });
  const paths = (result.paths ?? []).map((p) => p.filter((step) => step.op !== 'inject'));
  const leaves = withoutPrefixes(paths);
  const model = buildModel(setting, SCOPE);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const leftOut = new Map<string, number>();
  const skip = (why: string) => leftOut.set(why, (leftOut.get(why) ?? 0) + 1);
  for (const path of leaves) {
    const sim = rootSimulator(model.setup);
    const steps: TraceStep[] = [];
    let why: string | undefined;
    for (const step of path) {
      if ((why = knownDisagreement(sim, step))) break;
      const { outcome } = takeStep(sim, step);
      const expect = expectOf(outcome);
      steps.push({ ...step, ...(expect !== undefined ? { expect } : {}) } as TraceStep);
    }
    if (why) {
      skip(why);
      continue;
    }
    const file = sim.file;
    if (file && file.fdOpen && !file.closed) steps.push({ op: 'check', expect: { allocatedBytes: file.allocatedBytes } });
    const name = `explore-ml612-${String(files.length).padStart(3, '0')}`;
    const trace: Trace = {
      format: 'gmem-trace/1',
      name,
      description: `The explorer's shortest path to one of the ${result.states - 1} states it reaches for mainline-6.12 (sw-protected) in its start scope, every outcome the model's (src/kernel-run/explorer-traces.ts).`,
      config: traceConfig(model.setup.config),
      steps,
    };
    if (!runTrace(trace).pass) {
      skip('the model does not replay its own path (a bug in the model: run gmem replay on it)');
      continue;
    }
    const out = join(dir, `${name}.json`);
    writeFileSync(out, `${JSON.stringify(trace, null, 1)}\n`);
    files.push(out);
  }
  return { files, states: result.states - 1, leftOut };
}
