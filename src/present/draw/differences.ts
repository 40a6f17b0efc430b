/**
 * Where the variants differ and where the policies differ, measured rather
 * than written down: a catalogue of small probes (a few trace steps and one
 * observation, read through src/engine/reads.ts) runs under every
 * variant in VARIANTS and under every value of every policy; the spec shows
 * the probes whose answers differ. A variant or policy value added to
 * machines/policy.ts appears in the tables without touching this file.
 */
import type { Policy, Variant } from '../../../machines/policy';
import { AFTER_TRUNCATE, DEFAULT_POLICY, RESTORE, SPLIT, TRUNCATE_WHILE_PINNED, VARIANTS } from '../../../machines/policy';
import { defaultConfig } from '../../interpreter/config';
import type { StepOutcome } from '../../interpreter/outcome';
import { describeOutcome } from '../../trace/replay';
import type { SimulatorReads } from '../../engine/session';
import { simulate } from '../../engine/session';
import type { TraceStep } from '../../trace/schema';

const MiB2 = 2 * 1024 * 1024;
const PAGE = 4096;

export interface Probe {
  name: string;
  /** what it asks, in a reviewer's words, with the DOMAIN section or kernel defect it concerns. */
  question: string;
  steps: TraceStep[];
  /** the answer: the last step's outcome unless the probe reads something else. */
  observe?: (sim: SimulatorReads, last: StepOutcome | undefined) => string;
}

const create = (flags: string[], size = 2 * MiB2) => ({ op: 'create', size, flags }) as TraceStep;
const step = (s: Record<string, unknown>) => s as unknown as TraceStep;
const order = (sim: SimulatorReads, page: number) => {
  const o = sim.file()?.folioOrder(page);
  return o === null || o === undefined ? 'no folio' : o === 0 ? '4K folios (split)' : `order ${o} (huge)`;
};

/** The probes, each one question about a file of two 2 MiB blocks of 4 KiB pages unless it says otherwise. */
export const PROBES: Probe[] = [
  { name: 'hugetlb + init-shared', question: 'create a HugeTLB file whose pages start shared (DOMAIN 7)', steps: [create(['mmap', 'hugetlb', 'init-shared'])] },
  { name: 'hugetlb, private', question: 'create a HugeTLB file whose pages start private (DOMAIN 7)', steps: [create(['mmap', 'hugetlb'])] },
  { name: 'convert length 0', question: 'a conversion of length 0 (DOMAIN 7)', steps: [create([]), step({ op: 'convert', offset: 0, length: 0, to: 'shared' })] },
  { name: 'mmap flag', question: 'create a file the host may map (DOMAIN 7.4: 6.12 knows no flag)', steps: [create(['mmap'])] },
  {
    name: 'convert after closeFd, past the end',
    question: 'the fd closed, then a to-shared conversion across the file\'s end: outcome and page 0 after (DOMAIN 7.4: attributes on the VM)',
    steps: [create([], 2 * PAGE), step({ op: 'closeFd' }), step({ op: 'convert', offset: 0, length: 4 * PAGE, to: 'shared' })],
    observe: (sim, last) => `${describeOutcome(last!)}; page 0 ${sim.file()?.shareability(0) ?? '-'}`,
  },
  {
    name: 'shared data across a conversion',
    question: 'a guest writes 41 privately, the page goes shared: what the guest reads there (DOMAIN 7.4: shared memory outside the file)',
    steps: [create([], 2 * PAGE), step({ op: 'guestWrite', offset: 0, data: '41' }), step({ op: 'convert', offset: 0, length: PAGE, to: 'shared' }), step({ op: 'guestRead', offset: 0, length: 1 })],
  },
  {
    name: 'st_blocks',
    question: 'a page fallocated: allocated bytes (INV-11; DOMAIN 7.4)',
    steps: [create([], 2 * PAGE), step({ op: 'fallocate', offset: 0, length: PAGE })],
    observe: (sim, last) => `${describeOutcome(last!)}; allocated ${sim.file()?.allocatedBytes ?? 0} bytes`,
  },
  {
    name: 'fallocate inside a block',
    question: 'fallocate of one page in the middle of a HugeTLB block: allocated bytes after (DOMAIN 7 alignment)',
    steps: [create(['mmap', 'hugetlb']), step({ op: 'fallocate', offset: PAGE, length: PAGE })],
    observe: (sim, last) => `${describeOutcome(last!)}; allocated ${(sim.file()?.allocatedBytes ?? 0) / MiB2} MiB`,
  },
  {
    name: 'partial punch of a huge folio',
    question: 'private data at page 0, punch pages 1..2 of the same huge block: what page 0 reads (K3)',
    steps: [create(['mmap', 'hugetlb']), step({ op: 'guestWrite', offset: 0, data: '41', access: 'private' }), step({ op: 'punchHole', offset: PAGE, length: 2 * PAGE }), step({ op: 'guestRead', offset: 0, length: 1, access: 'private' })],
  },
  {
    name: 'split failure mid-conversion',
    question: 'block 0 already split, block 1 huge; a to-shared conversion over both fails to split block 1: is page 1 (block 0) shared after? (DOMAIN 7 rollback)',
    steps: [
      create(['mmap', 'hugetlb']),
      step({ op: 'fallocate', offset: 0, length: 2 * MiB2 }),
      step({ op: 'convert', offset: 0, length: PAGE, to: 'shared' }),
      step({ op: 'inject', fault: 'split-enomem' }),
      step({ op: 'convert', offset: PAGE, length: MiB2, to: 'shared' }),
    ],
    observe: (sim, last) => `${describeOutcome(last!)}; page 1 ${sim.file()?.shareability(1) ?? '-'}`,
  },
  {
    name: 'merge on to-private',
    question: 'one page of a huge block made shared, then private again: the folio after (K4)',
    steps: [create(['mmap', 'hugetlb']), step({ op: 'fallocate', offset: 0, length: MiB2 }), step({ op: 'convert', offset: 0, length: PAGE, to: 'shared' }), step({ op: 'convert', offset: 0, length: PAGE, to: 'private' })],
    observe: (sim) => order(sim, 0),
  },
  {
    name: 'convert without mmap',
    question: 'to-shared conversion on a file created without mmap: outcome and page 0 after (K8)',
    steps: [create([]), step({ op: 'convert', offset: 0, length: PAGE, to: 'shared' })],
    observe: (sim, last) => `${describeOutcome(last!)}; page 0 ${sim.file()?.shareability(0) ?? '-'}`,
  },
  {
    name: 'shared page in a huge block',
    question: 'a guest maps a block huge, then one page is converted to shared: the folio after (split policy)',
    steps: [create(['mmap', 'hugetlb']), step({ op: 'guestWrite', offset: 0, data: '41', access: 'private' }), step({ op: 'convert', offset: PAGE, length: PAGE, to: 'shared' })],
    observe: (sim) => order(sim, 0),
  },
  {
    name: 'shareability after a punch',
    question: 'a private file, page 0 made shared and allocated, the block punched: page 0 after (afterTruncate policy, deck question 1)',
    steps: [create(['mmap', 'hugetlb']), step({ op: 'convert', offset: 0, length: PAGE, to: 'shared' }), step({ op: 'hostWrite', offset: 0, data: '41' }), step({ op: 'punchHole', offset: 0, length: MiB2 })],
    observe: (sim, last) => `${describeOutcome(last!)}; page 0 ${sim.file()?.shareability(0) ?? '-'}`,
  },
  {
    name: 'punch a pinned split block',
    question: 'page 0 shared, written and pinned (the block split), the block punched (truncateWhilePinned policy, S-39)',
    steps: [create(['mmap', 'hugetlb']), step({ op: 'convert', offset: 0, length: PAGE, to: 'shared' }), step({ op: 'hostWrite', offset: 0, data: '41' }), step({ op: 'pin', offset: 0 }), step({ op: 'punchHole', offset: 0, length: MiB2 })],
  },
  {
    name: 'close with a pinned split block',
    question: 'a split block pinned at close; unpin and settle: HugePages_Free of the 2 huge pages (restore policy, the deck on restore)',
    steps: [create(['mmap', 'hugetlb']), step({ op: 'convert', offset: 0, length: PAGE, to: 'shared' }), step({ op: 'hostWrite', offset: 0, data: '41' }), step({ op: 'pin', offset: 0 }), step({ op: 'close' }), step({ op: 'unpin', offset: 0 }), step({ op: 'settle' })],
    observe: (sim) => `HugePages_Free ${sim.pool().free}`,
  },
];

/** Runs a probe under one configuration; a step that fails before the last ends it with that step's answer. */
export function runProbe(probe: Probe, variant: Variant, policy: Partial<Policy> = {}): string {
  // The variant's own default huge page size (2 MiB, or none where it has no HugeTLB).
  const sim = simulate({ ...defaultConfig({ variant, policy, pageSize: PAGE }), poolHugePages: 2 });
  let last: StepOutcome | undefined;
  for (const [i, s] of probe.steps.entries()) {
    last = sim.step(s).outcome;
    if (i < probe.steps.length - 1 && last && last.kind !== 'ok' && s.op !== 'inject') return `(${s.op}: ${describeOutcome(last)})`;
  }
  return probe.observe ? probe.observe(sim, last) : describeOutcome(last ?? { kind: 'ok' });
}

export interface DifferenceTable {
  /** column headers after the probe: a variant, or a policy's values. */
  columns: string[];
  rows: Array<{ probe: Probe; answers: string[] }>;
}

/** The probes whose answer differs between variants, under the kernel's policies. */
export function variantDifferences(): DifferenceTable {
  const columns = [...VARIANTS];
  const rows = PROBES.map((probe) => ({ probe, answers: columns.map((v) => runProbe(probe, v)) })).filter((r) => new Set(r.answers).size > 1);
  return { columns, rows };
}

export const POLICY_VALUES: { [K in keyof Policy]: readonly Policy[K][] } = { split: SPLIT, afterTruncate: AFTER_TRUNCATE, restore: RESTORE, truncateWhilePinned: TRUNCATE_WHILE_PINNED };

/** Per policy, the probes whose answer differs between its values (rfc-v2, other policies the kernel's). */
export function policyDifferences(): Array<{ policy: keyof Policy } & DifferenceTable> {
  return (Object.keys(POLICY_VALUES) as Array<keyof Policy>).map((policy) => {
    const columns = POLICY_VALUES[policy].map(String);
    const rows = PROBES.map((probe) => ({ probe, answers: columns.map((value) => runProbe(probe, 'rfc-v2', { ...DEFAULT_POLICY, [policy]: value })) })).filter((r) => new Set(r.answers).size > 1);
    return { policy, columns, rows };
  });
}
