/**
 * Writing and reading back whole 2 MiB blocks through the simulator (host
 * mmap of a shared HugeTLB file) against plain Buffer copies of the same
 * bytes, in the same run. The first pass faults every page in; the next
 * passes go through existing mappings, as a process would.
 */
import { defaultConfig, Simulator } from '../src/interpreter/simulator';

const MiB = 1 << 20;

export interface Throughput {
  blocks: number;
  passes: number;
  firstPassMs: number;
  simulatorMs: number;
  bufferMs: number;
  ratio: number;
}

export function measureThroughput(blocks = 32, passes = 20): Throughput {
  const size = blocks * 2 * MiB;
  const sim = new Simulator(defaultConfig({ poolHugePages: blocks }));
  if (sim.create(size, ['mmap', 'init-shared', 'hugetlb']).kind !== 'ok') throw new Error('create failed');
  const data = Buffer.alloc(2 * MiB);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  const plain = Buffer.alloc(size);
  const back = Buffer.alloc(2 * MiB);

  const roundTrip = (offset: number) => {
    const w = sim.hostAccess(offset, 2 * MiB, 0, { data });
    const r = sim.hostAccess(offset, 2 * MiB, 0);
    if (w.kind !== 'ok' || r.kind !== 'ok' || !r.data || Buffer.compare(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.length), data) !== 0) {
      throw new Error(`round trip at ${offset} failed`);
    }
  };
  let t = process.hrtime.bigint();
  for (let b = 0; b < blocks; b++) roundTrip(b * 2 * MiB);
  const firstPassMs = Number(process.hrtime.bigint() - t) / 1e6;

  t = process.hrtime.bigint();
  for (let pass = 0; pass < passes; pass++) for (let b = 0; b < blocks; b++) roundTrip(b * 2 * MiB);
  const simulatorMs = Number(process.hrtime.bigint() - t) / 1e6;

  t = process.hrtime.bigint();
  for (let pass = 0; pass < passes; pass++) {
    for (let b = 0; b < blocks; b++) {
      plain.set(data, b * 2 * MiB);
      plain.copy(back, 0, b * 2 * MiB, (b + 1) * 2 * MiB);
      if (Buffer.compare(back, data) !== 0) throw new Error('buffer round trip failed');
    }
  }
  const bufferMs = Number(process.hrtime.bigint() - t) / 1e6;
  return { blocks, passes, firstPassMs, simulatorMs, bufferMs, ratio: simulatorMs / bufferMs };
}

if (require.main === module) process.stdout.write(`${JSON.stringify(measureThroughput())}\n`);
