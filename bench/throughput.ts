/**
 * Writing and reading back whole 2 MiB blocks through the simulator (host
 * mmap of a shared HugeTLB file) against plain Buffer copies of the same
 * bytes, in the same run. The first pass faults every page in; the next
 * passes go through existing mappings, as a process would.
 */
import { fromBuild } from './entry';

// The simulator as `gmem replay` runs it (dist/ when current).
const { Simulator } = fromBuild<typeof import('../src/interpreter/simulator')>('src/interpreter/simulator');
const { defaultConfig } = fromBuild<typeof import('../src/interpreter/config')>('src/interpreter/config');
const { create } = fromBuild<typeof import('../src/interpreter/ops/create')>('src/interpreter/ops/create');
const { hostAccess } = fromBuild<typeof import('../src/interpreter/ops/host-access')>('src/interpreter/ops/host-access');

const MiB = 1 << 20;

export interface Throughput {
  blocks: number;
  rounds: number;
  passesPerRound: number;
  firstPassMs: number;
  simulatorMs: number;
  bufferMs: number;
  /** the median of the per-round ratios: rounds alternate the two sides, so load spikes hit both. */
  ratio: number;
  ratios: number[];
}

export function measureThroughput(blocks = 32, rounds = 7, passesPerRound = 4): Throughput {
  const size = blocks * 2 * MiB;
  const sim = new Simulator(defaultConfig({ poolHugePages: blocks }));
  if (create(sim, size, ['mmap', 'init-shared', 'hugetlb']).kind !== 'ok') throw new Error('create failed');
  const data = Buffer.alloc(2 * MiB);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  const plain = Buffer.alloc(size);
  const back = Buffer.alloc(2 * MiB);

  // Both sides read back into a buffer they own, as a process's read(2) would.
  const simBack = Buffer.alloc(2 * MiB);
  const roundTrip = (offset: number) => {
    const w = hostAccess(sim, offset, 2 * MiB, 0, { data });
    const r = hostAccess(sim, offset, 2 * MiB, 0, undefined, simBack);
    if (w.kind !== 'ok' || r.kind !== 'ok' || r.data !== simBack || Buffer.compare(simBack, data) !== 0) {
      throw new Error(`round trip at ${offset} failed`);
    }
  };
  const plainTrip = (offset: number) => {
    plain.set(data, offset);
    plain.copy(back, 0, offset, offset + 2 * MiB);
    if (Buffer.compare(back, data) !== 0) throw new Error('buffer round trip failed');
  };
  const time = (fn: () => void) => {
    const t = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const everyBlock = (trip: (offset: number) => void) => () => {
    for (let pass = 0; pass < passesPerRound; pass++) for (let b = 0; b < blocks; b++) trip(b * 2 * MiB);
  };

  const firstPassMs = time(() => {
    for (let b = 0; b < blocks; b++) roundTrip(b * 2 * MiB);
  });
  let simulatorMs = 0;
  let bufferMs = 0;
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const s = time(everyBlock(roundTrip));
    const p = time(everyBlock(plainTrip));
    simulatorMs += s;
    bufferMs += p;
    ratios.push(s / p);
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  return { blocks, rounds, passesPerRound, firstPassMs, simulatorMs, bufferMs, ratio: sorted[Math.floor(sorted.length / 2)]!, ratios };
}

if (require.main === module) process.stdout.write(`${JSON.stringify(measureThroughput())}\n`);
