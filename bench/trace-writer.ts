/**
 * Writes a gmem-trace/1 file from a generator of steps, a batch of lines at
 * a time: a million-step trace is never held in memory as one object.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface TraceHead {
  name: string;
  description: string;
  config: Record<string, unknown>;
  /** invariants the trace's tree is known to break on its way (TRACE-FORMAT expectViolation). */
  expectViolation?: string[];
}

export function writeTraceFile(file: string, head: TraceHead, steps: Iterable<object>): number {
  const fd = openSync(file, 'w');
  let count = 0;
  try {
    writeSync(fd, `{"format":"gmem-trace/1","name":${JSON.stringify(head.name)},"description":${JSON.stringify(head.description)},"config":${JSON.stringify(head.config)},${head.expectViolation ? `"expectViolation":${JSON.stringify(head.expectViolation)},` : ''}"steps":[\n`);
    let batch: string[] = [];
    for (const step of steps) {
      batch.push(`${count++ === 0 ? '' : ','}${JSON.stringify(step)}\n`);
      if (batch.length === 4096) {
        writeSync(fd, batch.join(''));
        batch = [];
      }
    }
    writeSync(fd, `${batch.join('')}]}\n`);
  } finally {
    closeSync(fd);
  }
  return count;
}

/** A small seeded generator (mulberry32), so a benchmark's random trace is the same each run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
