/**
 * The test files Stryker runs against each mutant of the core, in the order
 * it runs them (test/mutation/sequencer.js): soonest to kill first. Trace
 * replays and errno tables pin outcomes in about a second; the walks, the
 * explorer's checks and the block machine's agreement with the simulator
 * come last. Tests that spawn bin/gmem.js (they run the unmutated build),
 * browser, kernel and compiler tests are left to npm test, and so is
 * invariants.agreement: it holds the incremental invariant check equal to
 * the full one, so a mutant outside src/invariants moves both alike, and it
 * took 8 to 28 s of every mutant run that reached the core's steps.
 */
const CORE_TESTS = [
  'machine-defaults', 'traces-pass', 'errno', 'fidelity', 'known-defects', 'variants', 'range.table', 'folio.table',
  'policies', 'usecases', 'walk.usecases', 'mainline-6.12', 'hang', 'conversion-checks',
  'descriptions', 'snapshot-fields', 'arena', 'run-map', 'random-traces', 'kernel-traces',
  'bench-traces', 'simulator.property', 'prefix-free', 'pure-transition', 'explore.codec',
  'viewer-model', 'explore.faults', 'explore.clone', 'walk.faults', 'block.composition',
];
module.exports = { CORE_TESTS };
