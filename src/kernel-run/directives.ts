/**
 * How an extra C test asks to be run, in a comment near its top:
 *
 *   // kernel-run: timeout=20 expect-timeout
 *
 * timeout=<seconds> replaces the default time limit; expect-timeout marks a
 * test that is meant to hang (it passes when the limit kills it and fails
 * when it exits). Only the first 40 lines are read, so a directive cannot
 * hide in the body.
 */
import { readFileSync } from 'node:fs';

export interface RunDirectives {
  timeoutSeconds?: number;
  expectTimeout: boolean;
}

const HEAD_LINES = 40;

export function readDirectives(cFile: string): RunDirectives {
  const head = readFileSync(cFile, 'utf8').split('\n').slice(0, HEAD_LINES);
  const found: RunDirectives = { expectTimeout: false };
  for (const line of head) {
    const m = /kernel-run:\s*(.*?)\s*(?:\*\/)?\s*$/.exec(line);
    if (!m) continue;
    for (const token of m[1].split(/\s+/)) {
      const t = /^timeout=(\d+(?:\.\d+)?)$/.exec(token);
      if (t) found.timeoutSeconds = Number(t[1]);
      else if (token === 'expect-timeout') found.expectTimeout = true;
    }
  }
  return found;
}
