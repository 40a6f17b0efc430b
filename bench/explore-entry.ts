/**
 * X: the explorer against its targets. X1 and X2 in process
 * (bench/explore.ts); X3 `npm start` as a user runs it; X4 the cross-block
 * scope of every kernel tree, X5 the 2 x 4 geometry and X6 a scope of ten
 * million states (the memory bound), each as `gmem explore` runs it, with
 * its wall time and peak RSS.
 */
import type { BenchEntry, BenchRow, ChildRun } from './entry';
import { childTimeoutMs, GMEM, mb, MB, npmStart, runNode, wallCpu } from './entry';
import { exploreRows } from './explore';

interface ExploreJson {
  states: number;
  transitions: number;
  settings: Array<{ name: string; states: number; unexpected: unknown[]; missing: unknown[]; spilledStates?: number; fingerprinted?: { after: number; collisionOdds: number } }>;
}

/** `gmem explore ARGS --json` in a child: the run, its JSON when it printed one, and its totals or why there are none. */
function exploreChild(args: string[], seconds: number): { run: ChildRun; json?: ExploreJson; ok: boolean; text: string } {
  const timeoutMs = childTimeoutMs(seconds);
  const run = runNode([GMEM, 'explore', ...args, '--json'], timeoutMs);
  if (run.timedOut) return { run, ok: false, text: `stopped after ${timeoutMs / 1000} s` };
  try {
    const json = JSON.parse(run.stdout) as ExploreJson;
    const off = json.settings.filter((s) => s.unexpected.length || s.missing.length).map((s) => s.name);
    return { run, json, ok: run.status === 0, text: `exit ${run.status}, ${json.settings.length} settings, ${json.states.toLocaleString('en')} states, ${json.transitions.toLocaleString('en')} transitions${off.length ? `; not as known: ${off.join('; ')}` : ', every known defect found, nothing else'}` };
  } catch {
    return { run, ok: false, text: `exit ${run.status}: ${(run.stderr.trim().split('\n').pop() ?? '').slice(0, 160)}` };
  }
}

function x3(): BenchRow[] {
  const timeout = childTimeoutMs(300);
  const run = npmStart(timeout);
  const ran = !run.timedOut && run.status === 0;
  return [{ id: 'X3', measure: 'X3 npm start (the walk, then the start scope of all settings), 2 cores', value: `${ran ? '' : `${run.timedOut ? 'stopped' : `exit ${run.status}`}; `}${wallCpu(run)}`, target: '<= 15000 ms', met: ran && run.wallMs <= 15_000 }];
}

function x4(): BenchRow[] {
  const { run, ok, text } = exploreChild(['--scope', 'cross-block', '--out', 'test-output/bench-cross-block'], 900);
  return [
    { id: 'X4', measure: 'X4 --scope cross-block, every kernel tree (sw-protected, tdx): verdicts', value: text, target: 'exit 0', met: ok },
    { id: 'X4', measure: 'X4 its wall time (cpu), 2 cores', value: wallCpu(run), target: '<= 300000 ms', met: ok && run.wallMs <= 300_000 },
    { id: 'X4', measure: 'X4 its peak RSS', value: mb(run.peakRss), target: '<= 2000 MB', met: ok && run.peakRss !== undefined && run.peakRss <= 2000 * MB },
  ];
}

function x5(): BenchRow[] {
  const flags = ['--blocks', '2', '--pages', '4', '--processes', '2', '--pins', '1', '--values', '2', '--depth', '4', '--symmetry', 'on'];
  const { run, text } = exploreChild([...flags, '--variant', 'rfc-v2', '--vm-type', 'sw-protected', '--policy', 'split=eager', '--allow-missing', '--out', 'test-output/bench-x5'], 1200);
  return [{ id: 'X5', measure: `X5 ${flags.join(' ')}, rfc-v2 sw-protected: states, time, peak RSS`, value: `${text}; ${wallCpu(run)}, ${mb(run.peakRss)}`, target: '(informative)' }];
}

/** The flags of X6: a wide, shallow scope of about ten million states, nearly all of them in its last level. */
const X6_FLAGS = ['--blocks', '5', '--pages', '4', '--processes', '8', '--values', '15', '--pins', '1', '--depth', '3', '--symmetry', 'off'];

function x6(): BenchRow[] {
  const { run, json, ok, text } = exploreChild([...X6_FLAGS, '--variant', 'rfc-v2', '--vm-type', 'tdx', '--allow-missing', '--out', 'test-output/bench-x6'], 1800);
  const s = json?.settings[0];
  const memory = s ? `${s.spilledStates ? `; a level held on disk up to ${s.spilledStates.toLocaleString('en')} states` : ''}${s.fingerprinted ? `; fingerprints past ${s.fingerprinted.after.toLocaleString('en')} (collision odds ${s.fingerprinted.collisionOdds.toExponential(1)})` : ''}` : '';
  return [
    { id: 'X6', measure: `X6 ten million states: ${X6_FLAGS.join(' ')}, rfc-v2 tdx`, value: `${text}${memory}; ${wallCpu(run)}`, target: '>= 10,000,000 states', met: ok && (json?.states ?? 0) >= 10_000_000 },
    { id: 'X6', measure: 'X6 its peak RSS', value: mb(run.peakRss), target: '<= 2000 MB', met: ok && run.peakRss !== undefined && run.peakRss <= 2000 * MB },
  ];
}

export const explore: BenchEntry = {
  id: 'X',
  title: 'gmem explore: X1 states per second, X2 symmetry, X3 npm start, X4 cross-block scope, X5 the 2 x 4 geometry, X6 ten million states',
  run() {
    const inProcess = exploreRows().map((r): BenchRow => {
      const id = /^X\d/.exec(r.measure)?.[0] ?? 'X';
      return { id, measure: id === 'X' ? `X ${r.measure}` : r.measure, value: r.value, target: r.target, ...(r.target === '(informative)' ? {} : { met: r.met }) };
    });
    return [...inProcess, ...x3(), ...x4(), ...x5(), ...x6()];
  },
};
