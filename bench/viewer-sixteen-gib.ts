/**
 * The viewer's load of the 16 x 1 GiB trace: what `gmem view` computes when
 * the page asks for its steps (the simulator's run plus every step's picture
 * of 16 blocks of 262,144 pages as runs, and the transitions taken), and the
 * size of the JSON the page receives. Run in a fresh process, after one
 * warm-up run, so the figure is the steady cost of a page load.
 * Prints one JSON line: wall milliseconds, JSON bytes, steps.
 */
import { stepsOf, traceSource } from '../src/view/viewer-sources';
import { sixteenGibTrace } from './sixteen-gib';

if (require.main === module) {
  const source = traceSource(sixteenGibTrace(), 'sixteen-1gib-blocks');
  stepsOf(source.paths()[0]!);
  const start = process.hrtime.bigint();
  const steps = stepsOf(source.paths()[0]!);
  const bytes = JSON.stringify({ steps }).length;
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  process.stdout.write(`${JSON.stringify({ wallMs, bytes, steps: steps.length })}\n`);
}
