/**
 * One level of the breadth-first search: the states still to expand, each
 * an encoding and its id, in the order they were reached. The first
 * `inMemory` stay in memory; the rest are appended to a temporary file and
 * read back in order, so a level of millions of states costs the disk, not
 * the heap (as TLC keeps its queue of unexplored states on disk). The order
 * is kept either way: results do not depend on where a level was held.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** States of a level held in memory before the rest go to a temporary file (about 40 MB of wide encodings). */
export const DEFAULT_FRONTIER_IN_MEMORY = 100_000;

/** Temporary folders of levels not yet disposed (each empty: its file is unlinked once open), removed at exit (gmem explore turns SIGINT and SIGTERM into an exit). */
const live = new Set<string>();
let hooked = false;

function track(dir: string): void {
  live.add(dir);
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const d of live) rmSync(d, { recursive: true, force: true });
  });
}

const WRITE_BUFFER = 1 << 20;

export interface FrontierChunk {
  encodings: string[];
  ids: number[];
}

export class Frontier {
  private readonly encodings: string[] = [];
  private readonly ids: number[] = [];
  private spill: { dir: string; fd: number; count: number; buffer: Buffer; used: number; written: number } | undefined;
  private disposed = false;
  /** states counted by a level that keeps none (`Frontier.counting`). */
  private counted = 0;

  /** `inMemory`: states held in memory before the rest go to a file; `stores` false: the states are only counted (the level at the depth bound, never expanded). */
  constructor(
    private readonly inMemory: number = DEFAULT_FRONTIER_IN_MEMORY,
    private readonly stores = true,
  ) {}

  /** A level that is never expanded (it lies at the depth bound): its states are counted, not kept, in memory or on disk. */
  static counting(): Frontier {
    return new Frontier(0, false);
  }

  get length(): number {
    return this.counted + this.encodings.length + (this.spill?.count ?? 0);
  }

  /** States held in the temporary file (0: the level fits in memory). */
  get spilled(): number {
    return this.spill?.count ?? 0;
  }

  push(encoding: string, id: number): void {
    if (this.disposed) throw new Error('explorer: a state pushed to a level already let go');
    if (!this.stores) {
      this.counted++;
      return;
    }
    if (this.encodings.length < this.inMemory) {
      this.encodings.push(encoding);
      this.ids.push(id);
      return;
    }
    const s = (this.spill ??= this.open());
    // A record: the id, the length in 16-bit units, the units (little-endian).
    const size = 8 + encoding.length * 2;
    if (s.used + size > s.buffer.length) this.flush(s, size);
    s.buffer.writeUInt32LE(id, s.used);
    s.buffer.writeUInt32LE(encoding.length, s.used + 4);
    s.buffer.write(encoding, s.used + 8, 'utf16le');
    s.used += size;
    s.count++;
  }

  /**
   * The states in order, `size` at a time: the ones in memory, then the
   * file's, read a buffer at a time. `keep` drops states as they are read
   * (a shard keeps its part of the split level).
   */
  *chunks(size: number, keep?: (encoding: string) => boolean): Generator<FrontierChunk> {
    if (!this.stores) throw new Error('explorer: a level that only counted its states cannot give them back');
    let chunk: FrontierChunk = { encodings: [], ids: [] };
    const take = (encoding: string, id: number): FrontierChunk | undefined => {
      if (keep && !keep(encoding)) return undefined;
      chunk.encodings.push(encoding);
      chunk.ids.push(id);
      if (chunk.encodings.length < size) return undefined;
      const full = chunk;
      chunk = { encodings: [], ids: [] };
      return full;
    };
    for (let i = 0; i < this.encodings.length; i++) {
      const full = take(this.encodings[i]!, this.ids[i]!);
      if (full) yield full;
    }
    const s = this.spill;
    if (s) {
      this.flush(s, 0);
      let buffer = Buffer.alloc(WRITE_BUFFER);
      let have = 0;
      let position = 0;
      let read = 0;
      while (read < s.count) {
        const got = readSync(s.fd, buffer, have, buffer.length - have, position);
        position += got;
        have += got;
        let at = 0;
        while (read < s.count && at + 8 <= have) {
          const units = buffer.readUInt32LE(at + 4);
          if (at + 8 + units * 2 > have) break;
          const full = take(buffer.toString('utf16le', at + 8, at + 8 + units * 2), buffer.readUInt32LE(at));
          at += 8 + units * 2;
          read++;
          if (full) yield full;
        }
        buffer.copy(buffer, 0, at, have);
        have -= at;
        // A record longer than the buffer: read it whole next time round.
        if (have === buffer.length) buffer = Buffer.concat([buffer, Buffer.alloc(buffer.length)]);
        if (got === 0 && read < s.count) throw new Error(`explorer: the frontier file ended after ${read} of ${s.count} states`);
      }
    }
    if (chunk.encodings.length) yield chunk;
  }

  /** Removes the temporary file, if the level had one. */
  dispose(): void {
    this.disposed = true;
    const s = this.spill;
    if (!s) return;
    this.spill = undefined;
    closeSync(s.fd);
    rmSync(s.dir, { recursive: true, force: true });
    live.delete(s.dir);
  }

  private open(): NonNullable<Frontier['spill']> {
    const dir = mkdtempSync(join(tmpdir(), 'gmem-frontier-'));
    track(dir);
    const file = join(dir, 'level');
    const fd = openSync(file, 'w+');
    // Unlinked at once, read and written through the descriptor: however the process ends (SIGKILL, the OOM killer), the space goes back.
    unlinkSync(file);
    return { dir, fd, count: 0, buffer: Buffer.alloc(WRITE_BUFFER), used: 0, written: 0 };
  }

  /** Writes the buffer out; grows it when one record (`need` bytes) does not fit in it. */
  private flush(s: NonNullable<Frontier['spill']>, need: number): void {
    for (let at = 0; at < s.used; ) {
      const n = writeSync(s.fd, s.buffer, at, s.used - at, s.written);
      at += n;
      s.written += n;
    }
    s.used = 0;
    if (need > s.buffer.length) s.buffer = Buffer.alloc(need);
  }
}
