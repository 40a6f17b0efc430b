/**
 * Seeded random mainline-6.12 traces whose expectations are the model's own
 * answers, for `npm run test:kernel`: the running kernel then judges the
 * model on sequences nobody wrote by hand (creates, guest reads and writes,
 * conversions on the VM, fallocate, punch, closeFd, unbind, close, host ops).
 * The guest accesses where model and kernel are known to disagree are left
 * out (known-disagreements.ts).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepOutcome } from '../interpreter/outcome';
import { Simulator } from '../interpreter/simulator';
import { configOf, runTrace } from '../trace/replay';
import { takeStep } from '../engine/step';
import type { Trace } from '../trace/schema';
import { knownDisagreement } from './known-disagreements';

const P = 4096;
type Step = Trace['steps'][number];

/** A small linear congruential generator: the same seed gives the same traces everywhere. */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 0x100000000;
  };
}

function expectOf(outcome: StepOutcome): Step['expect'] | undefined {
  if (outcome.kind === 'ok') return outcome.data ? { data: Buffer.from(outcome.data).toString('hex') } : 'ok';
  if (outcome.kind !== 'error') return undefined;
  if (outcome.memoryFault) return { error: outcome.error, exit: 'memory-fault', memoryFault: outcome.memoryFault };
  return outcome.error;
}

/** One random walk; undefined when it reached a state no expectation can describe. */
function randomTrace(rnd: () => number, name: string): Trace | undefined {
  const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(rnd() * xs.length)]!;
  const pages = 1 + Math.floor(rnd() * 4);
  const raw: Step[] = [];
  if (rnd() < 0.2) raw.push(pick([{ op: 'create', size: 0, flags: [] }, { op: 'create', size: P, flags: ['mmap'] }, { op: 'create', size: 100, flags: [] }] as Step[]));
  raw.push({ op: 'create', size: pages * P, flags: [] } as Step);
  const hex = () => Math.floor(rnd() * 256).toString(16).padStart(2, '0');
  const length = 6 + Math.floor(rnd() * 12);
  let fdClosed = false;
  let unbound = false;
  for (let i = 0; i < length; i++) {
    const r = rnd();
    const crossing = pages > 1 && rnd() < 0.25;
    const at = crossing ? (1 + Math.floor(rnd() * (pages - 1))) * P - 2 : Math.floor(rnd() * pages) * P;
    if (r < 0.22) raw.push((crossing ? { op: 'guestWrite', offset: at, data: hex() + hex() + hex() + hex() } : { op: 'guestWrite', offset: at, fill: hex(), length: pick([1, 16, P]) }) as Step);
    else if (r < 0.45) raw.push({ op: 'guestRead', offset: at, length: crossing ? 4 : pick([8, P]) } as Step);
    else if (r < 0.68) raw.push({ op: 'convert', offset: Math.floor(rnd() * (pages + 1)) * P, length: rnd() < 0.05 ? 0 : (1 + Math.floor(rnd() * pages)) * P, to: rnd() < 0.5 ? 'shared' : 'private' } as Step);
    else if (r < 0.78) raw.push({ op: 'punchHole', offset: Math.floor(rnd() * pages) * P, length: (1 + Math.floor(rnd() * pages)) * P } as Step);
    else if (r < 0.86) raw.push({ op: 'fallocate', offset: Math.floor(rnd() * pages) * P, length: (1 + Math.floor(rnd() * pages)) * P } as Step);
    else if (r < 0.9 && !fdClosed) {
      raw.push({ op: 'closeFd' } as Step);
      fdClosed = true;
    } else if (r < 0.93 && !unbound) {
      raw.push({ op: 'unbind' } as Step);
      unbound = true;
    } else if (r < 0.96) raw.push({ op: 'check', expect: { allocatedBytes: 0 } } as Step);
    else if (r < 0.98) raw.push(pick([{ op: 'hostRead', offset: 0, length: 1 }, { op: 'pin', offset: 0 }] as Step[]));
    else if (i >= length - 2) {
      raw.push({ op: 'close' } as Step);
      break;
    }
  }
  const trace: Trace = { format: 'gmem-trace/1', name, description: 'A seeded random walk on mainline-6.12 (src/kernel-run/random-traces.ts); every expectation is the model\'s answer, for the running kernel to judge.', config: { variant: 'mainline-6.12', vmType: 'sw-protected' }, steps: [] };
  const sim = new Simulator(configOf(trace));
  for (const step of raw) {
    if (knownDisagreement(sim, step)) continue; // left out: see known-disagreements.ts
    const { outcome, invalid } = takeStep(sim, step);
    if (invalid || !outcome || outcome.kind === 'hang' || outcome.kind === 'nofile') return undefined;
    trace.steps.push(step.op === 'check' ? step : ({ ...step, expect: expectOf(outcome) } as Step));
  }
  return runTrace(trace).pass ? trace : undefined;
}

/** Writes `count` random traces for `seed` into `dir` (emptied first); returns their paths. */
export function writeRandomTraces(dir: string, count: number, seed: number): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rnd = generator(seed);
  const paths: string[] = [];
  for (let tries = 0; paths.length < count && tries < count * 20; tries++) {
    const name = `random-${seed}-${String(paths.length).padStart(3, '0')}`;
    const trace = randomTrace(rnd, name);
    if (!trace) continue;
    const path = join(dir, `${name}.json`);
    writeFileSync(path, `${JSON.stringify(trace, null, 1)}\n`);
    paths.push(path);
  }
  return paths;
}
