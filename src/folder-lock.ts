/**
 * A lock folder around the build, so two runs at once (two terminals, two
 * worktrees sharing the cache) build the kernel pieces once and never use a
 * half-built tree; the kernel-tree preparation of `npm test` uses it too
 * (src/selftest/kernel-tree.ts) and the kernel run (src/kernel-run/build.ts). mkdir is atomic; a lock older than the stale
 * age was left by a run that died. `fail` makes the caller's one-line error.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A cold build takes about 10 minutes; three times that is surely a dead run. */
const STALE_MS = 30 * 60 * 1000;

export function withLock<T>(lock: string, log: (line: string) => void, fn: () => T, fail: (message: string) => Error): T {
  const deadline = Date.now() + STALE_MS;
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), `${process.pid}\n`);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fail(`cannot create ${lock}: ${(err as Error).message}`);
      let age: number;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue; // released between mkdir and stat
      }
      if (age > STALE_MS) {
        log(`removing stale lock ${lock}`);
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw fail(`waited 30 minutes for ${lock}; remove it if no other run is building`);
      if (!told) log(`waiting for ${lock} (another run holds it)`);
      told = true;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
