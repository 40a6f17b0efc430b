/**
 * V1: the viewer's load of S1's 16 x 1 GiB trace (target: "a 16 x 1 GiB
 * trace loads in under 2 s"), each measured cold in its own process by
 * viewer-sixteen-gib.ts: what the server computes, and the page drawn in
 * headless Chromium (skipped with the reason where no browser is found).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { BenchEntry, BenchRow } from './entry';

function measure<T>(mode: 'server' | 'page'): T {
  const child = spawnSync(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'viewer-sixteen-gib.ts'), mode], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`viewer bench (${mode}) failed: ${child.stderr.trim().split('\n')[0]}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as T;
}

export const viewerLoad: BenchEntry = {
  id: 'V1',
  title: 'gmem view of the 16 x 1 GiB trace',
  run(): BenchRow[] {
    const server = measure<{ serverMs: number; bytes: number; steps: number }>('server');
    const page = measure<{ pageMs?: number; pageSkipped?: string }>('page');
    return [
      { id: 'V1', measure: `V1 server: every step's runs and transitions (${server.steps} steps, ${(server.bytes / 1e3).toFixed(0)} kB)`, value: `${server.serverMs.toFixed(0)} ms`, target: '< 2000 ms', met: server.serverMs < 2000 },
      page.pageMs !== undefined
        ? { id: 'V1', measure: 'V1 page: viewer start to a linked step drawn in headless Chromium', value: `${page.pageMs.toFixed(0)} ms`, target: '< 2000 ms', met: page.pageMs < 2000 }
        : { id: 'V1', measure: 'V1 page: not measured', value: page.pageSkipped ?? 'no browser', target: '< 2000 ms' },
    ];
  },
};
