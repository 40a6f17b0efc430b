/**
 * Symmetry reduction, as TLC's symmetry sets: states that differ only by a
 * renaming of the processes, or of the data values written, are one state.
 *
 * Why each renaming is sound for every invariant (docs/EXPLORER.md,
 * "Symmetry"): no operation and no invariant reads a process's number except
 * to tell one process from another (host mappings, pins and munmap name the
 * process; INV-1 names it in its message only), and every process can do
 * every step in scope, so renaming the processes of a state and of every
 * step after it gives the same outcomes and verdicts. A data value is only
 * ever written, copied, compared with another and with zero (INV-9), and
 * every value in scope can be written by every write, so a bijection of the
 * nonzero values that fixes zero keeps every outcome and verdict. Blocks are
 * not interchangeable (rfc-v2's rollback from block 0 never returns, K10),
 * nor are pages. A seeded fault may break the symmetry (one forgets the
 * processes other than process 0), so a search under a fault never reduces.
 *
 * A relabelling maps each process and each value of a state to its name in
 * the canonical state: `process[q]`, and `value[k]` for the k-th value of the
 * scope (`0x11 * (k + 1)`). The explorer keeps, per state, the relabelling
 * from the state its parent's step made (in the parent's canonical names) to
 * the canonical state, as one number, and rebuilds a counterexample's steps
 * in the names of the first state by composing them (counterexample steps
 * are exact: every one is replayed).
 */
import type { Step } from './operations';

export interface Relabel {
  /** process q of the state is process `process[q]` of the canonical one. */
  process: number[];
  /** the scope's k-th value (`0x11 * (k + 1)`) of the state is its `value[k]`-th in the canonical one. */
  value: number[];
}

export interface SymmetryGroup {
  processes: number;
  values: number;
  /** every permutation of the processes, in a fixed order (the canonical state is the least encoding over them). */
  processPerms: number[][];
}

/** Process renamings tried per state, at most: beyond it (6 processes) the reduction costs more than it saves. */
const MAX_PROCESS_PERMS = 120;

export function symmetryGroup(processes: number, values: number): SymmetryGroup | undefined {
  const perms = permutations(processes);
  if (perms.length > MAX_PROCESS_PERMS) return undefined;
  return { processes, values, processPerms: perms };
}

/** The scope's k-th data value. */
export const valueOf = (k: number): number => 0x11 * (k + 1);

export function identity(g: SymmetryGroup): Relabel {
  return { process: range(g.processes), value: range(g.values) };
}

/** `a` after `b`. */
export function compose(a: Relabel, b: Relabel): Relabel {
  return { process: b.process.map((q) => a.process[q]!), value: b.value.map((k) => a.value[k]!) };
}

export function invert(r: Relabel): Relabel {
  const process: number[] = [];
  const value: number[] = [];
  r.process.forEach((to, from) => (process[to] = from));
  r.value.forEach((to, from) => (value[to] = from));
  return { process, value };
}

/** A relabelling as one number (the two permutations' ranks), for the explorer to keep per state. */
export function packRelabel(g: SymmetryGroup, r: Relabel): number {
  return rankPerm(r.process) * factorial(g.values) + rankPerm(r.value);
}

export function unpackRelabel(g: SymmetryGroup, n: number): Relabel {
  const f = factorial(g.values);
  return { process: unrankPerm(Math.floor(n / f), g.processes), value: unrankPerm(n % f, g.values) };
}

/** The step with its process and data value renamed by `r`. */
export function relabelStep(step: Step, r: Relabel): Step {
  const out = { ...step } as Step & { process?: number; fill?: string };
  if ('process' in out || ['hostRead', 'hostWrite', 'pin', 'munmap'].includes(step.op)) {
    const q = r.process[out.process ?? 0]!;
    if (q === 0) delete out.process;
    else out.process = q;
  }
  if (out.fill !== undefined) {
    const v = parseInt(out.fill, 16);
    if (v !== 0) out.fill = valueOf(r.value[v / 0x11 - 1]!).toString(16).padStart(2, '0');
  }
  return out;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

function permutations(n: number): number[][] {
  if (n <= 1) return [range(n)];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  return out.sort((a, b) => rankPerm(a) - rankPerm(b));
}

/** A permutation's rank in lexicographic order (Lehmer code). */
function rankPerm(p: ReadonlyArray<number>): number {
  let rank = 0;
  for (let i = 0; i < p.length; i++) {
    let smaller = 0;
    for (let j = i + 1; j < p.length; j++) if (p[j]! < p[i]!) smaller++;
    rank += smaller * factorial(p.length - 1 - i);
  }
  return rank;
}

function unrankPerm(rank: number, n: number): number[] {
  const pool = range(n);
  const out: number[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const f = factorial(i);
    out.push(pool.splice(Math.floor(rank / f), 1)[0]!);
    rank %= f;
  }
  return out;
}
