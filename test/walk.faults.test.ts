/**
 * The generated tests bite: each seeded bug makes at least one generated path
 * fail, and the failing path's trace reproduces the failure under replay with
 * the same bug, and passes on the real simulator.
 */
import type { FaultName } from '../src/interpreter/config';
import { FAULTS } from '../src/interpreter/config';
import { runTrace } from '../src/trace/replay';
import type { PathFailure } from '../src/walk/block-walk';
import { opLabel } from '../machines/block.plan';
import { runWalks } from '../src/walk/run-walks';

describe.each(FAULTS.map((f) => [f]))('seeded bug: %s', (fault) => {
  // The kernel's policies are enough to expose every seeded bug.
  const report = runWalks({ faults: [fault as FaultName], parts: ['block', 'usecases'], settings: (s) => s.name.includes('kernel policies') });
  const first = report.failures[0] as PathFailure | undefined;

  it('makes at least one generated path fail, and names which', () => {
    expect(first).toBeDefined();
    const where = `${first!.path.label} in ${first!.path.setting.name}: ${first!.path.ops.map(opLabel).join(', ')}`;
    // The name of the failing path and what it saw, in the test output.
    process.stdout.write(`${fault}: ${report.failures.length} failing path(s); first: ${where}\n  ${first!.message}\n`);
    expect(first!.message.length).toBeGreaterThan(0);
  });

  it('its generated trace reproduces the failure, and passes without the bug', () => {
    const withBug = runTrace(first!.trace, [fault]);
    expect(withBug.pass).toBe(false);
    expect(withBug.failure!.step).toBeLessThanOrEqual(first!.step + 2);
    const real = runTrace(first!.trace);
    expect(real.failure).toBeUndefined();
  });
});
