/**
 * Successor computation on worker threads (node:worker_threads directly:
 * one long-lived worker per core, batches of encodings in, expansions out).
 * Each worker builds the model of a (setting, scope) once and caches it, so
 * only strings cross threads and several settings can share one pool.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { Expansion, Setting } from './expand';
import type { Scope } from './operations';

interface Pending {
  resolve: (value: Expansion[]) => void;
  reject: (err: Error) => void;
}

export class ExpandPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Array<{ id: number; setting: Setting; scope: Scope; encodings: string[] }> = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(readonly size: number) {
    // Compiled (dist/, as bin/gmem.js runs it): the worker loads the JavaScript. From the sources (tsx, jest):
    // tsx compiles the TypeScript in the worker as bin/gmem.js does in the main thread.
    const compiled = join(__dirname, 'expand-worker.js');
    const bootstrap = existsSync(compiled)
      ? `require(${JSON.stringify(compiled)});`
      : `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(join(__dirname, 'expand-worker.ts'))});`;
    for (let i = 0; i < size; i++) {
      const w = new Worker(bootstrap, { eval: true });
      w.on('message', (msg: { id: number; expansions?: Expansion[]; error?: string }) => {
        const p = this.pending.get(msg.id)!;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(msg.error));
        else p.resolve(msg.expansions!);
        this.idle.push(w);
        this.pump();
      });
      w.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  /** Expands a batch of states of one setting on the next idle worker (settings may share the pool). */
  expand(setting: Setting, scope: Scope, encodings: string[]): Promise<Expansion[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.queue.push({ id, setting, scope, encodings });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length && this.queue.length) this.idle.pop()!.postMessage(this.queue.shift()!);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
