/**
 * Output files and servers, through the real bin: a bad output path is one
 * line and exit 2; a port in use is one line and exit 1; SIGINT and SIGTERM
 * stop a server, and so does the end of the process that started it (as
 * when `npx` is stopped).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, runCli, startCli } from './support/run-cli';

const dir = mkdtempSync(join(tmpdir(), 'gmem-cli-output-'));
const aFile = join(dir, 'a-file');
writeFileSync(aFile, 'x');

const oneLine = (r: { status: number | null; stderr: string }, status: number, message: RegExp) => {
  expect(r.status).toBe(status);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
};

describe('output paths', () => {
  it('-o DIR is one line, exit 2', () => {
    oneLine(runCli(['spec', '-o', dir]), 2, new RegExp(`^gmem: spec: -o ${dir}: cannot write it \\(is a directory\\)\\n$`));
    oneLine(runCli(['diagram', 'range', '-o', dir]), 2, /^gmem: diagram: -o .*: cannot write it \(is a directory\)\n$/);
  });

  it('-o /no/such/dir/x.md is one line, exit 2', () => {
    oneLine(runCli(['spec', '-o', '/no/such/dir/x.md']), 2, /^gmem: spec: -o \/no\/such\/dir\/x\.md: cannot write it \(its directory does not exist\)\n$/);
    oneLine(runCli(['diagram', 'folio', '--format', 'dot', '-o', join(aFile, 'x.dot')]), 2, /cannot write it \(a part of the path is not a directory\)\n$/);
  });

  it('an unwritable file is one line, exit 2', () => {
    // root may write a mode-0444 file; /proc/version refuses every writer.
    const target = process.getuid?.() === 0 ? '/proc/version' : join(dir, 'read-only.md');
    if (target !== '/proc/version') writeFileSync(target, '', { mode: 0o444 });
    oneLine(runCli(['spec', '-o', target]), 2, /^gmem: spec: -o .*: cannot write it \((permission denied|input\/output error|operation not permitted)\)\n$/);
  });

  it('walk --traces, walk --result and inspect --record say the same', () => {
    oneLine(runCli(['walk', '--only', 'tdx-initial', '--traces', aFile]), 2, /^gmem: walk: --traces .*a-file: cannot write there \(/);
    oneLine(runCli(['walk', '--only', 'tdx-initial', '--result', '/no/such/dir/r.json']), 2, /^gmem: walk: --result \/no\/such\/dir\/r\.json: cannot write it \(its directory does not exist\)\n$/);
    oneLine(runCli(['inspect', '--no-open', '--record', '/no/such/dir/e.jsonl']), 2, /^gmem: inspect: --record \/no\/such\/dir\/e\.jsonl: cannot write it \(its directory does not exist\)\n$/);
  });
});

function holdPort(): Promise<{ port: number; close: () => void }> {
  const server = net.createServer();
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, close: () => server.close() })));
}

function exitOf(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    http.get(url, (res) => {
      res.resume();
      resolve(true);
    }).on('error', () => resolve(false));
  });
}

describe('servers', () => {
  it('a port in use is one line and exit 1, for inspect and view', async () => {
    const held = await holdPort();
    try {
      oneLine(runCli(['inspect', '--no-open', '--port', String(held.port)]), 1, new RegExp(`^gmem: inspect: port ${held.port} on 127\\.0\\.0\\.1 is in use \\(choose another with --port\\)\\n$`));
      oneLine(runCli(['view', '--port', String(held.port)]), 1, new RegExp(`^gmem: view: port ${held.port} on 127\\.0\\.0\\.1 is in use \\(choose another with --port\\)\\n$`));
    } finally {
      held.close();
    }
  }, 30_000);

  it.each(['SIGTERM', 'SIGINT'] as const)('view closes its server and exits on %s', async (signal) => {
    const { child, stderr } = await startCli(['view', '--port', '0'], /Viewer at (http:\S+)/);
    const url = /Viewer at (http:\S+)/.exec(stderr())![1]!;
    expect(await answers(url)).toBe(true);
    const exited = exitOf(child);
    child.kill(signal);
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(await answers(url)).toBe(false);
  }, 30_000);

  it('inspect exits on SIGTERM after its replay', async () => {
    const { child } = await startCli(['inspect', '--no-open', '--port', '0', '--delay', '0', '--use-case', 'inode-cleanup-truncate-ready'], /Replay done/);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('a server whose parent is gone stops (npx stopped by SIGTERM leaves its child behind)', async () => {
    // sh stays the parent (the `; true` keeps it from exec'ing node), as under `npm exec`.
    const sh = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" view --port 0; true`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`view did not start: ${err}`)), 20_000);
      sh.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /Viewer at (http:\S+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    expect(await answers(url)).toBe(true);
    sh.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while ((await answers(url)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await answers(url)).toBe(false);
  }, 30_000);
});
