/**
 * The benchmark's generated traces are valid gmem-trace/1 files as written
 * (bench/trace-writer.ts streams them), so a FAIL row in `npm run bench` is
 * the simulator's, never a malformed trace's. Replaying them is the bench's
 * job, not a timed test's; the small S2 trace is replayed here.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { s1Steps } from '../bench/s1-sixteen-gib';
import { s2Steps } from '../bench/s2-long-trace';
import { s3Steps } from '../bench/s3-huge-file';
import { seededRandom, writeTraceFile } from '../bench/trace-writer';
import { loadTrace, runTrace } from '../src/trace/replay';

describe('benchmark traces', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gmem-bench-traces-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, config: Record<string, unknown>, steps: Iterable<object>) => {
    const file = join(dir, `${name}.json`);
    const count = writeTraceFile(file, { name, description: 'test', config }, steps);
    return { file, count };
  };

  it('S1, S2 and S3 load as valid traces, every step written', () => {
    const traces = [
      write('s1', { pageSize: 4096, hugePageSize: 2 ** 30 }, s1Steps()),
      write('s2', {}, s2Steps(10_000)),
      write('s3', { pageSize: 4096, hugePageSize: 2 ** 21 }, s3Steps(10)),
    ];
    for (const { file, count } of traces) {
      const loaded = loadTrace(file);
      if (!loaded.ok) throw new Error(loaded.message);
      expect(loaded.trace.steps).toHaveLength(count);
    }
    expect(traces[2]!.count).toBe(10_003);
    // The last of 10,000 writes (step 0 is the create).
    expect(JSON.parse(readFileSync(traces[1]!.file, 'utf8')).steps[10_000]).toEqual({ op: 'hostWrite', offset: 9999 * 4096, data: '0f', expect: 'ok' });
  });

  it('a small S2 trace replays and passes (distinct bytes, past the 262,144 pages of 1 GiB)', () => {
    const steps = [...s2Steps(5)];
    expect(steps).toHaveLength(6);
    const { file } = write('s2-small', {}, steps);
    const loaded = loadTrace(file);
    if (!loaded.ok) throw new Error(loaded.message);
    expect(runTrace(loaded.trace).failure).toBeUndefined();
    const offsets = [...s2Steps(262_146)].slice(1).map((s) => (s as { offset: number }).offset);
    expect(new Set(offsets).size).toBe(offsets.length);
    expect(offsets[262_144]).toBe(1);
  });

  it('S3 is the same trace for the same seed, another for another', () => {
    const a = JSON.stringify([...s3Steps(7)]);
    expect(JSON.stringify([...s3Steps(7)])).toBe(a);
    expect(JSON.stringify([...s3Steps(8)])).not.toBe(a);
    const r = seededRandom(1);
    const xs = Array.from({ length: 1000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
});
