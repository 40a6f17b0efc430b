/**
 * The test files Stryker runs against each mutant of the core, in the order
 * it runs them (test/mutation/sequencer.js): the quickest first (a run stops
 * at its first failure), the trace replays (a second, and most kills) early,
 * the block machine's agreement with the simulator (block.composition, and
 * the whole walk in walk.coverage: the only tests that hold the block
 * machine to the simulator) last. Tests that spawn bin/gmem.js (they run
 * the unmutated build), browser, kernel and compiler tests are left to npm
 * test, and so is
 * invariants.agreement: it holds the incremental invariant check equal to
 * the full one, so a mutant outside src/invariants moves both alike, and it
 * took 8 to 28 s of every mutant run that reached the core's steps.
 */
const CORE_TESTS = [
  'machine-defaults', 'check-failures', 'block-ops', 'usecases', 'descriptions', 'arena',
  'snapshot-fields', 'policies', 'known-defects', 'walk.usecases', 'mainline-6.12', 'fidelity',
  'variants', 'traces-pass', 'range.table', 'random-traces', 'errno', 'bench-traces',
  'conversion-checks', 'folio.table', 'prefix-free', 'run-map', 'simulator.property', 'hang',
  'kernel-traces', 'pure-transition', 'explore.codec', 'viewer-model', 'explore.faults',
  'explore.clone', 'walk.faults', 'block.composition', 'walk.coverage',
]
module.exports = { CORE_TESTS };
