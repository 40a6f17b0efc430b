/**
 * The incremental invariant check (the default: only where a step changed
 * the file) and the full check (the whole file) give the same verdicts,
 * step by step: the same violations, in the same order, with the same INV
 * ids, places and defect tags. Held on every step of every trace under
 * test/traces (and the shared example traces when ../shared is there), of
 * the generated walks, and of the walks under each seeded bug, where
 * violations are expected: those are the steps an incremental check could
 * miss one at.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { agreement } from '../src/invariants/invariants';
import { FAULTS } from '../src/interpreter/config';
import type { FaultName } from '../src/interpreter/config';
import { loadTrace, runTrace } from '../src/trace/replay';
import { runWalks } from '../src/walk/run-walks';
import { explore } from '../src/explore/search';
import { DEFAULT_POLICY } from '../machines/policy';

const TRACE_DIRS = [join(__dirname, 'traces'), join(__dirname, '..', '..', 'shared', 'traces')].filter((d) => existsSync(d));
const traceFiles = TRACE_DIRS.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => join(d, f)));

beforeEach(() => {
  agreement.enabled = true;
  agreement.steps = 0;
  agreement.mismatches = [];
});
afterEach(() => {
  agreement.enabled = false;
});

/** The first disagreement, readable in the test output. */
const firstMismatch = () => {
  const m = agreement.mismatches[0];
  return m ? `after ${m.op}: full ${JSON.stringify(m.full)}; incremental ${JSON.stringify(m.incremental)}` : undefined;
};

describe('incremental and full invariant checks agree', () => {
  it('on every step of every trace, and of every trace under each seeded bug', () => {
    expect(traceFiles.length).toBeGreaterThan(50);
    let violations = 0;
    for (const file of traceFiles) {
      const loaded = loadTrace(file);
      if (!loaded.ok) throw new Error(loaded.message);
      violations += runTrace(loaded.trace).excused.length;
      for (const fault of FAULTS) runTrace(loaded.trace, [fault as FaultName]);
    }
    expect(firstMismatch()).toBeUndefined();
    // Every step of every trace, more than once: the comparison ran, and met violations (the known-defect traces).
    expect(agreement.steps).toBeGreaterThan(traceFiles.length * 8);
    expect(violations).toBeGreaterThan(0);
  });

  it('on every step of the generated walks (every part, every setting)', () => {
    const report = runWalks();
    expect(report.failures).toEqual([]);
    expect(firstMismatch()).toBeUndefined();
    expect(agreement.steps).toBeGreaterThan(10_000);
  });

  it.each(FAULTS.map((f) => [f]))('on every step of the block and use-case walks under the seeded bug %s', (fault) => {
    const report = runWalks({ faults: [fault as FaultName], parts: ['block', 'usecases'], settings: (s) => s.name.includes('kernel policies') });
    // The bug is seen (a violation or a wrong answer), and both checks saw the same violations on the way.
    expect(report.failures.length).toBeGreaterThan(0);
    expect(firstMismatch()).toBeUndefined();
    expect(agreement.steps).toBeGreaterThan(100);
  });

  // The explorer's copies start from their parent's checks (startChecksFrom): each transition is checked only where it changed the file.
  it.each([
    ['rfc-v2', 'sw-protected', []],
    ['rfc-v2', 'tdx', []],
    ['rfc-v2', 'sw-protected', ['lazy-split']],
  ] as const)('on every transition of a search, %s %s, seeded bugs %j', async (variant, vmType, faults) => {
    const r = await explore({ variant, vmType, policy: DEFAULT_POLICY, faults: [...faults] }, { blocks: 2, pages: 2, processes: 1, pins: 1, values: 1, depth: 3 });
    expect(firstMismatch()).toBeUndefined();
    // Every transition but the creates refused (no file, nothing to check): two of the eight flag sets here.
    expect(agreement.steps).toBe(r.transitions - 2);
    expect(r.findings.length).toBeGreaterThan(0);
  });
});
