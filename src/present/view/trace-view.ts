/**
 * What the viewer shows for any gmem-trace/1 run, step by step: the file as
 * its blocks, each block as runs of pages in the same state (a 1 GiB block
 * of 262,144 pages is a handful of runs, never one entry per page), the
 * step's outcome against the trace's expectation, what a `check` step
 * compared, and the machine transitions the step took with their
 * descriptions and citations.
 *
 * The simulator is read through simulator-reads.ts only (the range state of
 * every page as one byte array, which a 16 x 1 GiB file needs to be scanned
 * in bulk; mappings, pins, folio states, the pool), so a change of the
 * interpreter's representation is adapted there.
 * Transitions are recovered from the machines: for each page or folio whose
 * state changed, the shortest path through the machine's transitions on the
 * events this operation sends (block.plan.ts) from the state before to the
 * state after; for a refusal, the refusing transitions of the states touched.
 */
import type { RangeState } from '../../../machines/range.machine';
import { RANGE_STATES } from '../../../machines/range.machine';
import type { MachineModel, ModelTransition } from '../draw/machine-model';
import type { SimConfig } from '../../interpreter/config';
import type { StepOutcome } from '../../interpreter/outcome';
import { describeExpectation, describeOutcome, matches } from '../../trace/replay';
import type { CheckedField as EngineCheckedField } from '../../engine/observe';
import type { Expectation, TraceStep } from '../../trace/schema';
import type { FileReads } from '../../engine/reads';
import { stepPages } from '../../engine/step-span';
import { simulate } from '../../engine/session';
import { profileOf } from '../../../machines/variant';
import { KNOWN_DEFECTS, policyChoices } from '../../../machines/expectations';
import type { Policy } from '../../../machines/policy';

export interface PageRun {
  /** block-relative page numbers, inclusive. */
  first: number;
  last: number;
  state: RangeState;
  shareability: 'shared' | 'private';
  allocated: boolean;
  hostMapped: boolean;
  guest: 'none' | '4k' | 'huge';
  pins: number;
  /** `0-255 private huge`: what the strip prints for the run. */
  label: string;
}

export interface BlockPicture {
  index: number;
  /** first file page of the block. */
  base: number;
  pages: number;
  folio: string;
  wrapper: string;
  runs: PageRun[];
}

/** A transition of the model a step took (ModelTransition), in which machine and where. */
export interface StepTransition extends ModelTransition {
  machine: 'range' | 'folio' | 'block';
  /** where it happened: `block 0 pages 0-255`, `block 3`. */
  where: string[];
}

/** A checked field as the viewer shows it: the page's offset and number beside a page's field. */
export interface CheckedField {
  field: string;
  expected: string;
  actual: string;
  ok: boolean;
}

/** A broken invariant at a step, and the known defect that broke it when the simulator tagged one. */
export interface ViewViolation {
  invariant: string;
  where: string;
  detail: string;
  /** the tree's known defect (machines/expectations.ts KNOWN_DEFECTS) the violation is tagged with. */
  defect?: { id: string; variants: string[]; gloss: string; source: string };
  /** untagged by a defect: the configured policy alternatives documented to break it (DOMAIN 8), as `afterTruncate=reset`. */
  policies?: string[];
  /** the trace's `expectViolation` names this invariant. */
  declared: boolean;
}

export interface ViewStep {
  index: number;
  op: string;
  /** `not-run`: a step after one that never returned (INV-14), which cannot happen. */
  kind: 'start' | 'op' | 'check' | 'not-run';
  /** the step never returns (StepOutcome `hang`): why. The file is drawn as it stood before it. */
  hang?: string;
  /** the step's input cannot happen (TRACE-FORMAT Validity, found at run time): the field and why. */
  invalid?: string;
  expected?: string;
  outcome?: string;
  /** the outcome is what the trace expected (a step without expectation always matches). */
  matches: boolean;
  checked?: CheckedField[];
  violations: ViewViolation[];
  transitions: StepTransition[];
  file?: {
    open: boolean;
    pageSize: number;
    blockPages: number;
    nPages: number;
    hugetlb: boolean;
    pool: { free: number; rsvd: number };
    allocatedBytes: number;
    pendingMerge: number;
    blocks: BlockPicture[];
    /** for people: the file's size, its pages and blocks (`2 GiB: 524,288 pages of 4 KiB, ...`). */
    geometry: string;
    /** for people: allocatedBytes as `1 GiB + 4 KiB`. */
    allocated: string;
  };
}

const SHARED = RANGE_STATES.map((s) => s.startsWith('faultable') || s.endsWith('.shared'));
const ALLOCATED = RANGE_STATES.map((s) => s.endsWith('.allocated'));

/** Byte ranges compared natively (memcmp): a 1 GiB block's 262,144 page states in microseconds. */
const view = (a: Uint8Array, from: number, length: number) => Buffer.from(a.buffer, a.byteOffset + from, length);
const FILLED = new Map<number, Buffer>();
const CHUNK = 4096;
function uniform(codes: Uint8Array, from: number, length: number): boolean {
  const code = codes[from]!;
  let filled = FILLED.get(code);
  if (!filled || filled.length < length) FILLED.set(code, (filled = Buffer.alloc(Math.max(length, filled?.length ?? 0), code)));
  return view(codes, from, length).equals(filled.subarray(0, length));
}

/** A 4K-page file has one "block" per page; the viewer draws it as one region of runs instead. */
const regionsOf = (file: FileReads) => (file.hugetlb ? { count: file.nBlocks, pages: file.blockPages } : { count: 1, pages: file.nPages });

function runLabel(run: Omit<PageRun, 'label'>, folio: string): string {
  const range = run.first === run.last ? `${run.first}` : `${run.first}-${run.last}`;
  const what = run.state.startsWith('truncate') ? `truncating (${run.state})` : run.allocated ? (folio === 'huge' ? 'huge' : 'split') : 'unallocated';
  const marks = [run.hostMapped ? 'host-mapped' : '', run.guest !== 'none' ? `guest ${run.guest}` : '', run.pins ? `pinned x${run.pins}` : ''].filter(Boolean);
  return [range, run.shareability, what, ...marks].join(' ');
}

let MARKS = new Uint8Array(0);

/** The file as blocks of runs, scanning each block's page states once. */
export function pictureOf(file: FileReads): BlockPicture[] {
  const { count, pages } = regionsOf(file);
  // Per-page marks in one byte (bit 0 host-mapped, bit 1 guest 4K, above: pins), only where any exist:
  // a byte array is filled and compared far faster than sets of a quarter million page numbers.
  // The byte array is reused from step to step (a 16 GiB file's is 4 MiB; a fresh one per step
  // was most of the viewer's garbage) and only the pages marked are cleared afterwards.
  let marks: Uint8Array | undefined;
  const marked = new Set<number>();
  const touched: number[] = [];
  const mark = (p: number, bits: number) => {
    if (!marks) {
      if (MARKS.length < file.nPages) MARKS = new Uint8Array(file.nPages);
      marks = MARKS;
    }
    marks[p]! |= bits;
    touched.push(p);
    marked.add(Math.floor(p / pages));
  };
  for (const p of file.hostMappedPages()) mark(p, 1);
  for (const p of file.guest4kPages()) mark(p, 2);
  for (const [p, n] of file.pinnedPages()) mark(p, Math.min(n, 63) << 2);
  const codes = file.rangeCodes();
  const out: BlockPicture[] = [];
  for (let b = 0; b < count; b++) {
    const base = b * pages;
    const record = file.hugetlb ? file.block(b) : undefined;
    const folio = record ? record.folio.file : 'order-0 folios';
    const runs: PageRun[] = [];
    const push = (from: number, to: number) => {
      const code = codes[from]!;
      const bits = marks?.[from] ?? 0;
      const blockOf = record ?? file.block(Math.floor(from / file.blockPages));
      const guest = blockOf.guestHuge && ALLOCATED[code] ? 'huge' : bits & 2 ? '4k' : 'none';
      runs.push({ first: from - base, last: to - 1 - base, state: RANGE_STATES[code]!, shareability: SHARED[code] ? 'shared' : 'private', allocated: ALLOCATED[code]!, hostMapped: (bits & 1) === 1, guest, pins: blockOf.pins.get(from) ?? 0, label: '' });
    };
    if (!marked.has(b) && uniform(codes, base, pages)) {
      push(base, base + pages);
    } else {
      let start = base;
      const end = base + pages;
      for (let p = base + 1; p <= end; p++) {
        // Whole chunks that continue the current run (same state, same marks) are skipped natively.
        if (p + CHUNK <= end && codes[p] === codes[p - 1] && (marks === undefined || marks[p] === marks[p - 1]) && uniform(codes, p, CHUNK) && (marks === undefined || uniform(marks, p, CHUNK))) {
          p += CHUNK - 1;
          continue;
        }
        if (p === end || codes[p] !== codes[p - 1] || (marks !== undefined && marks[p] !== marks[p - 1])) {
          push(start, p);
          start = p;
        }
      }
    }
    for (const run of runs) run.label = runLabel(run, folio);
    out.push({ index: b, base, pages, folio, wrapper: record ? record.folio.wrapper : 'empty', runs });
  }
  for (const p of touched) marks![p] = 0;
  return out;
}

/** The engine's comparison of a check step (the one replay judges by), labelled for the viewer. */
function viewChecked(fields: ReadonlyArray<EngineCheckedField>): CheckedField[] {
  return fields.map((f) => ({
    field: f.page ? f.field.replace(/^(pages\[\d+\])/, `$1 (offset ${f.page.offset}, page ${f.page.page})`) : f.field,
    expected: f.expected,
    actual: f.actual,
    ok: f.ok,
  }));
}

/** The range events an operation sends to the pages it touches (block.plan.ts). */
function rangeEvents(step: TraceStep): string[] {
  switch (step.op) {
    case 'hostRead':
    case 'hostWrite':
      return ['HOST_FAULT'];
    case 'guestRead':
    case 'guestWrite':
      return ['GUEST_FAULT'];
    case 'convert':
      return [step.to === 'shared' ? 'CONVERT_TO_SHARED' : 'CONVERT_TO_PRIVATE'];
    case 'fallocate':
      return ['ALLOCATE'];
    case 'punchHole':
      return ['PUNCH', 'FOLIO_FREED', 'FOLIO_DETACHED'];
    case 'close':
      return ['EVICT', 'FOLIO_FREED', 'FOLIO_DETACHED'];
    case 'pin':
      return ['PIN'];
    case 'unpin':
    case 'settle':
      return ['UNPIN', 'FOLIO_FREED', 'FOLIO_DETACHED'];
    case 'munmap':
      return ['HOST_UNMAP'];
    default:
      return [];
  }
}

/** The folio events an operation sends to the blocks it touches (block.plan.ts). */
function folioEvents(step: TraceStep): string[] {
  switch (step.op) {
    case 'hostRead':
    case 'hostWrite':
    case 'pin':
      return ['SHARED_FAULT'];
    case 'guestRead':
    case 'guestWrite':
      return ['ALLOC'];
    case 'convert':
      return step.to === 'shared' ? ['SPLIT'] : ['MERGE'];
    case 'fallocate':
      return ['ALLOC'];
    case 'punchHole':
      return ['TRUNCATE', 'MERGE'];
    case 'close':
      return ['EVICT_BLOCK', 'TRUNCATE'];
    default:
      return [];
  }
}

/** The block machine's event for a trace operation (block.plan.ts BlockOp). */
function blockOp(step: TraceStep): string {
  switch (step.op) {
    case 'hostRead':
    case 'hostWrite':
      return 'hostAccess';
    case 'guestRead':
    case 'guestWrite':
      return 'guestAccess';
    case 'inject':
      return 'injectSplitFailure';
    default:
      return step.op;
  }
}

/** The file pages a step addresses (all of them for close and settle). */
function touchedPages(step: TraceStep, file: FileReads): [number, number] | undefined {
  switch (step.op) {
    case 'close':
    case 'settle':
      return [0, file.nPages];
    case 'create':
    case 'check':
    case 'inject':
      return undefined;
    default: {
      // pin and unpin carry no length: one page.
      const span = stepPages(step, file.pageSize, file.nPages);
      return span && [span.from, span.to];
    }
  }
}

/**
 * The path of transitions from one state to another over the given events (at most 3 steps):
 * the shortest, and among those the one whose guards fit what is known (pins held or not);
 * otherwise the unguarded branches, which the machine takes when no guard applies.
 */
function pathBetween(model: MachineModel, from: string, to: string, events: ReadonlyArray<string> | undefined, pinned = false): ModelTransition[] | undefined {
  const ancestors = (path: string) => path.split('.').map((_, i, parts) => parts.slice(0, parts.length - i).join('.'));
  const leafOf = (path: string): string => {
    const state = model.states.find((s) => s.path === path);
    return state?.initial ? leafOf(state.initial) : path;
  };
  const cost = (t: ModelTransition) => (!t.guard ? (pinned && /pinned/i.test(t.label) ? 1 : 0) : /pinned/i.test(t.guard) ? (pinned ? -1 : 3) : 2);
  let frontier: Array<{ at: string; path: ModelTransition[] }> = [{ at: from, path: [] }];
  for (let depth = 0; depth < 3; depth++) {
    const next: typeof frontier = [];
    const arrived: ModelTransition[][] = [];
    for (const { at, path } of frontier) {
      for (const t of model.transitions) {
        if (t.to === undefined || !ancestors(at).includes(t.from) || (events && !events.includes(t.event))) continue;
        const landed = leafOf(t.to);
        if (landed === to) arrived.push([...path, t]);
        else next.push({ at: landed, path: [...path, t] });
      }
    }
    if (arrived.length) {
      const score = (p: ModelTransition[]) => p.reduce((n, t) => n + cost(t), 0);
      return arrived.reduce((best, p) => (score(p) < score(best) ? p : best));
    }
    frontier = next;
  }
  return undefined;
}

function pageSpan(runs: Array<[number, number]>): string {
  return runs.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ');
}

export interface ViewModels {
  range: MachineModel;
  folio: MachineModel;
  block: MachineModel;
}

const UNITS: Array<[string, number]> = [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10], ['B', 1]];

/** A byte count for people: `4 GiB`, `1 GiB + 2 MiB + 4 KiB`; beyond three units, the digits grouped. */
export function bytesForPeople(n: number): string {
  if (n === 0) return '0';
  const parts: string[] = [];
  let rest = n;
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count} ${unit}`);
    rest -= count * size;
  }
  return parts.length <= 3 ? parts.join(' + ') : `${n.toLocaleString('en')} B`;
}

/** The step fields that hold bytes. */
const BYTE_FIELDS = new Set(['offset', 'length', 'size']);

function stepLabel(step: TraceStep): string {
  const { op, expect: _expect, ...rest } = step as TraceStep & { expect?: unknown };
  void _expect;
  const fields = Object.entries(rest)
    .filter(([k]) => k !== 'op')
    .map(([k, v]) => `${k}=${typeof v === 'number' && BYTE_FIELDS.has(k) ? bytesForPeople(v) : typeof v === 'string' && v.length > 18 ? `${v.slice(0, 16)}…` : Array.isArray(v) ? v.join('+') : String(typeof v === 'object' ? JSON.stringify(v) : v)}`);
  return op === 'check' ? 'check' : `${op}(${fields.join(', ')})`;
}

/** The alternatives of `policy` that DOMAIN 8 documents as breaking `invariant`. */
function policiesBreaking(policy: Policy, invariant: string): string[] {
  return policyChoices(policy).filter((c) => (c.breaks as ReadonlyArray<string>).includes(invariant)).map((c) => `${c.key}=${c.value}`);
}

function viewViolation(v: { invariant: string; where: string; detail: string; defect?: string }, declared: ReadonlySet<string>, policy: Policy): ViewViolation {
  const known = v.defect === undefined ? undefined : KNOWN_DEFECTS.find((d) => d.id === v.defect);
  const policies = v.defect === undefined ? policiesBreaking(policy, v.invariant) : [];
  return {
    invariant: v.invariant,
    where: v.where,
    detail: v.detail,
    ...(known ? { defect: { id: known.id, variants: [...known.variants], gloss: known.scenario, source: known.source } } : v.defect ? { defect: { id: v.defect, variants: [], gloss: '', source: '' } } : {}),
    ...(policies.length ? { policies } : {}),
    declared: declared.has(v.invariant),
  };
}

/**
 * Runs a trace's steps on a fresh simulator and draws every step; `declared`: the invariants the
 * trace's `expectViolation` names.
 */
export function viewSteps(config: SimConfig, steps: ReadonlyArray<TraceStep>, models: ViewModels, labels: ReadonlyArray<string | undefined> = [], declared: ReadonlySet<string> = new Set()): ViewStep[] {
  const sim = simulate(config);
  const out: ViewStep[] = [{ index: 0, op: 'start', kind: 'start', matches: true, violations: [], transitions: [] }];
  // One buffer for the page states before each step, reused: a 16 GiB file's copy is 4 MiB.
  let previous: Uint8Array | undefined;
  let hungAt: number | undefined;
  let injected = false;
  steps.forEach((step, i) => {
    if (hungAt !== undefined) {
      // Nothing after an operation that never returns can run (TRACE-FORMAT replay; DOMAIN 9 INV-14).
      out.push({ index: i + 1, op: labels[i] ? `${labels[i]}: ${stepLabel(step)}` : stepLabel(step), kind: 'not-run', outcome: `not run: step ${hungAt} never returned`, matches: false, violations: [], transitions: [] });
      return;
    }
    const file = sim.file();
    if (file && previous?.length !== file.nPages) previous = new Uint8Array(file.nPages);
    if (file) file.copyRangeCodes(previous!);
    const before = file ? { pages: previous!, folios: file.folioStates(), pins: file.pinsByBlock(), open: file.fdOpen, pool: sim.pool(), injected } : undefined;
    if (step.op === 'inject') injected = true;
    const result = sim.step(step);
    const outcome: StepOutcome | undefined = result.outcome;
    const expect = (step as { expect?: Expectation }).expect;
    const view: ViewStep = {
      index: i + 1,
      op: labels[i] ? `${labels[i]}: ${stepLabel(step)}` : stepLabel(step),
      kind: step.op === 'check' ? 'check' : 'op',
      matches: true,
      violations: result.violations.map((v) => viewViolation(v, declared, config.policy)),
      transitions: [],
    };
    if (result.invalid) view.invalid = `$.steps[${i}].${result.invalid.field}: ${result.invalid.what}`;
    if (outcome?.kind === 'hang') {
      // Its effects are not observable: no transitions, and the file stays drawn as it was before the step.
      hungAt = i + 1;
      view.hang = outcome.reason;
      view.outcome = describeOutcome(outcome);
      if (expect !== undefined) {
        view.expected = describeExpectation(expect);
        view.matches = matches(outcome, expect, step);
      }
      out.push(view);
      return;
    }
    if (step.op === 'check') {
      view.checked = viewChecked(result.checked ?? []);
      view.matches = !result.mismatch;
    } else if (outcome) {
      view.outcome = describeOutcome(outcome);
      if (expect !== undefined) {
        view.expected = describeExpectation(expect);
        view.matches = matches(outcome, expect, step);
      }
    }
    const after = sim.file();
    if (after && step.op !== 'check') view.transitions = transitionsOf(step, config, before, after, outcome, models);
    if (after) {
      view.file = {
        open: after.inodeAlive,
        pageSize: after.pageSize,
        blockPages: after.blockPages,
        nPages: after.nPages,
        hugetlb: after.hugetlb,
        pool: sim.pool(),
        allocatedBytes: after.allocatedBytes,
        pendingMerge: after.pendingMerge,
        blocks: pictureOf(after),
        geometry: geometryForPeople(after),
        allocated: size(after.allocatedBytes),
      };
    }
    out.push(view);
  });
  return out;
}

const count = (n: number) => n.toLocaleString('en');
/** A size with its unit even when it is none. */
const size = (n: number) => (n === 0 ? '0 B' : bytesForPeople(n));

/** The file's size, pages and blocks as the viewer's counters print them. */
function geometryForPeople(file: FileReads): string {
  const blocks = file.hugetlb ? `, in blocks of ${count(file.blockPages)} pages (${size(file.blockPages * file.pageSize)})` : ', 4K folios';
  return `${size(file.nPages * file.pageSize)}: ${count(file.nPages)} pages of ${size(file.pageSize)}${blocks}`;
}

/** What the viewer knows of the file before a step, for finding the transitions it took. */
interface Before {
  pages: Uint8Array;
  folios: Array<{ file: string; wrapper: string }>;
  pins: number[];
  open: boolean;
  pool: { free: number; rsvd: number };
  /** an `inject` step came earlier, so a split may fail (the viewer cannot see whether it is still armed). */
  injected: boolean;
}

/** A guard's value as far as the viewer can tell: true, false, or undefined when it cannot. */
type GuardFacts = (guard: string) => boolean | undefined;

/** The guards the viewer can decide from the step, the configuration and the file before the step. */
function guardFacts(step: TraceStep, config: SimConfig, before: Before, block: number): GuardFacts {
  const pinned = (before.pins[block] ?? 0) > 0;
  const splitMayFail = before.injected ? undefined : false;
  const keepsHuge = profileOf(config.variant).allocSplitFailure === 'keep-huge';
  const known: Record<string, boolean | undefined> = {
    pinned: pinned ? undefined : false,
    pinnedTruncateRefused: pinned ? undefined : false,
    pinnedEvictHeldByInode: pinned ? undefined : false,
    // HugePages_Free counts the reserved pages too: none free is an empty pool, some beyond the reservations is not.
    poolEmpty: before.pool.free === 0 ? true : before.pool.free > before.pool.rsvd ? false : undefined,
    lazySplit: config.policy.split === 'lazy',
    keepsHugeOnFailedSplit: keepsHuge,
    allocSplitFails: splitMayFail,
    splitFails: splitMayFail,
    allocSplitFailsKeepingHuge: keepsHuge ? splitMayFail : false,
    gup: step.op === 'pin',
    userFault: step.op === 'hostRead' || step.op === 'hostWrite',
  };
  return (guard) => {
    const parts = guard.split(' & ').map((g) => known[g]);
    return parts.includes(false) ? false : parts.every((v) => v === true) ? true : undefined;
  };
}

/**
 * The refusals with `errno` a machine in `state` may have answered on `events`, as the machine
 * chooses: the deepest state first, its transitions in order, none after one whose guard surely holds,
 * and none whose guard surely fails.
 */
function refusalsTaken(model: MachineModel, state: string, events: ReadonlyArray<string>, errno: string, holds: GuardFacts): ModelTransition[] {
  const chain = state.split('.').map((_, i, parts) => parts.slice(0, parts.length - i).join('.'));
  const out: ModelTransition[] = [];
  for (const event of events) {
    taking: for (const at of chain) {
      for (const t of model.transitions) {
        if (t.from !== at || t.event !== event) continue;
        const holdsNow = t.guard ? holds(t.guard) : true;
        if (holdsNow === false) continue;
        if (t.refusal?.startsWith(errno)) out.push(t);
        if (holdsNow) break taking;
      }
    }
  }
  return out;
}

function transitionsOf(
  step: TraceStep,
  config: SimConfig,
  before: Before | undefined,
  file: FileReads,
  outcome: StepOutcome | undefined,
  models: ViewModels,
): StepTransition[] {
  const found = new Map<string, StepTransition & { spans: Map<number, Array<[number, number]>> }>();
  const add = (machine: StepTransition['machine'], t: ModelTransition, block: number | undefined, pages?: [number, number]) => {
    const key = `${machine}|${t.from}|${t.to ?? ''}|${t.label}|${t.refusal ?? ''}`;
    let entry = found.get(key);
    if (!entry) {
      entry = { machine, from: t.from, ...(t.to !== undefined ? { to: t.to } : {}), event: t.event, ...(t.guard ? { guard: t.guard } : {}), ...(t.refusal ? { refusal: t.refusal } : {}), label: t.label, description: t.description, citations: t.citations, where: [], spans: new Map() };
      found.set(key, entry);
    }
    if (block === undefined) return;
    const spans = entry.spans.get(block) ?? [];
    if (pages) {
      const last = spans[spans.length - 1];
      if (last && last[1] + 1 === pages[0]) last[1] = pages[1];
      else spans.push([...pages]);
    }
    entry.spans.set(block, spans);
  };
  const events = rangeEvents(step);
  const region = regionsOf(file);
  if (before && events.length) {
    // Range: every page whose state changed, grouped by (from, to) and runs of pages.
    const codes = file.rangeCodes();
    const paths = new Map<string, ModelTransition[] | undefined>();
    for (let p = 0; p < codes.length; p++) {
      // Whole blocks that did not change are skipped with one native comparison.
      if (p % region.pages === 0 && view(codes, p, region.pages).equals(view(before.pages, p, region.pages))) {
        p += region.pages - 1;
        continue;
      }
      if (codes[p] === before.pages[p]) continue;
      // A run of pages in one block that all went from the same state to the same state.
      const b = Math.floor(p / region.pages);
      const end = (b + 1) * region.pages;
      let q = p + 1;
      while (q < end && codes[q] === codes[p] && before.pages[q] === before.pages[p]) q++;
      const from = RANGE_STATES[before.pages[p]!]!;
      const to = RANGE_STATES[codes[p]!]!;
      const pinned = (before.pins[Math.floor(p / file.blockPages)] ?? 0) > 0;
      const key = `${from}>${to}>${pinned}`;
      if (!paths.has(key)) paths.set(key, pathBetween(models.range, from, to, events, pinned) ?? pathBetween(models.range, from, to, undefined, pinned));
      for (const t of paths.get(key) ?? []) add('range', t, b, [p - b * region.pages, q - 1 - b * region.pages]);
      p = q - 1;
    }
  }
  if (before && file.hugetlb) {
    file.folioStates().forEach((folio, b) => {
      const was = before.folios[b];
      if (!was) return;
      for (const part of ['file', 'wrapper'] as const) {
        const from = `${part}.${was[part]}`;
        const to = `${part}.${folio[part]}`;
        if (from === to) continue;
        const pinned = (before.pins[b] ?? 0) > 0;
        for (const t of pathBetween(models.folio, from, to, [...folioEvents(step), 'HANDOFF', 'SUBFOLIO_FREED', 'SETTLE'], pinned) ?? pathBetween(models.folio, from, to, undefined, pinned) ?? []) add('folio', t, b);
      }
    });
  }
  if (before?.open && !file.fdOpen) for (const t of models.block.transitions.filter((t) => t.from === 'inode.open' && t.to === 'inode.closed')) add('block', t, undefined);
  if (outcome?.kind === 'error') {
    const errno = outcome.error;
    if (before && !before.open) {
      const op = blockOp(step);
      for (const t of models.block.transitions.filter((t) => t.from === 'inode.closed' && t.event === op && t.refusal?.startsWith(errno))) add('block', t, undefined);
    }
    const span = touchedPages(step, file);
    if (before && span) {
      // The kernel stops at the first refusal: the first touched block whose pages kept their states
      // and where a machine refuses with this errno is where it happened.
      const firstBlock = Math.floor(span[0] / region.pages);
      const lastBlock = Math.floor((span[1] - 1) / region.pages);
      for (let b = firstBlock; b <= lastBlock; b++) {
        const from = Math.max(span[0], b * region.pages);
        const to = Math.min(span[1], (b + 1) * region.pages);
        if (!view(file.rangeCodes(), from, to - from).equals(view(before.pages, from, to - from))) continue;
        const holds = guardFacts(step, config, before, b);
        const rangeHits: ModelTransition[] = [];
        const states = new Set<number>();
        for (let p = from; p < to; p++) states.add(before.pages[p]!);
        for (const code of states) rangeHits.push(...refusalsTaken(models.range, RANGE_STATES[code]!, events, errno, holds));
        const was = file.hugetlb ? before.folios[b] : undefined;
        const folioHits = was ? refusalsTaken(models.folio, `file.${was.file}`, folioEvents(step), errno, holds) : [];
        // A block's plan sends the page event before the folio event, except when an armed split
        // failure fails first (block.plan.ts failsFirst), where the pages refuse nothing: the folio
        // refusal decided only when no page refusal could have.
        const hits: Array<[StepTransition['machine'], ModelTransition]> = rangeHits.length ? rangeHits.map((t) => ['range', t]) : folioHits.map((t) => ['folio', t]);
        if (hits.length === 0) continue;
        for (const [machine, t] of hits) add(machine, t, b);
        break;
      }
    }
  }
  return [...found.values()].map(({ spans, ...t }) => ({
    ...t,
    where: [...spans].map(([b, runs]) => (runs.length ? `block ${b} pages ${pageSpan(runs)}` : `block ${b}`)),
  }));
}
