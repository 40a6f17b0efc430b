/**
 * A lock folder around the build, so two runs at once (two terminals, two
 * worktrees sharing the cache) build the kernel pieces once and never use a
 * half-built tree. Same scheme as src/selftest/kernel-tree.ts's withLock
 * (which is not exported): mkdir is atomic; a lock older than the stale age
 * was left by a run that died.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KernelRunError, type Log } from './exec';

/** A cold build takes about 10 minutes; three times that is surely a dead run. */
const STALE_MS = 30 * 60 * 1000;

export function withLock<T>(lock: string, log: Log, fn: () => T): T {
  const deadline = Date.now() + STALE_MS;
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), `${process.pid}\n`);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new KernelRunError(`cannot create ${lock}: ${(err as Error).message}`);
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
      if (Date.now() > deadline) throw new KernelRunError(`waited 30 minutes for ${lock}; remove it if no other run is building`);
      if (!told) log(`waiting for ${lock} (another run is building)`);
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
