/**
 * The whole generated suite: every block transition under every setting, the
 * use cases, the range and folio walks. No path may fail and coverage must be
 * 100% of every kind (states, pairs with refusals, guard branches, use cases,
 * invariants where they apply).
 */
import { renderCoverage } from '../src/present/report/walk-report';
import { runWalks } from '../src/walk/run-walks';

it('every generated path passes and coverage is 100%', () => {
  // One failing path fails the test; `gmem walk` lists them all. Stopping there keeps a failing run
  // (and a mutant's, under npm run mutation) short.
  const report = runWalks({ traceDir: 'test-output/walk-failures', stopAtFirstFailure: true });
  const failures = report.failures.slice(0, 1).map((f) => `${f.message}\n  ${f.story.join('\n  ')}`);
  expect(failures).toEqual([]);
  expect(report.rows.every((r) => r.paths > 0)).toBe(true);
  if (!report.complete) throw new Error(renderCoverage(report.coverage));
  expect(report.coverage.map((k) => k.kind).sort()).toEqual([
    'block: (state, operation) pairs',
    'block: guard branches',
    'folio: (state, event) pairs',
    'folio: guard branches',
    'folio: states',
    'invariants: evaluated where they apply',
    'range: (state, event) pairs',
    'range: guard branches',
    'range: states',
    'use cases',
  ]);
});
