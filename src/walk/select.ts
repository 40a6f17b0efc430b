/**
 * Choosing part of the walk from the command line, for CI matrices and quick
 * runs: `--only PATTERN` keeps the rows whose use case / walk or setting
 * matches, `--shard i/n` keeps every n-th path (numbered across all rows, in
 * the walk's deterministic order), so n machines run disjoint parts whose
 * union is the whole walk.
 */
import { InputError } from '../input-error';

export interface Shard {
  index: number;
  count: number;
}

/** `i/n` with 1 <= i <= n. */
export function parseShard(text: string, what = 'walk: --shard'): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new InputError(`${what} must be i/n with 1 <= i <= n (such as 2/3), got '${text}'`);
  return { index, count };
}

/** The shard a path numbered `k` (from 0, across all rows) belongs to: round robin, so shards stay balanced. */
export function shardOf(k: number, count: number): number {
  return (k % count) + 1;
}

/**
 * A row matches a pattern when its use case / walk name, its setting, or
 * both together ("use case: tdx-initial-unfaultable rfc-v2 tdx") contain it,
 * case-insensitively; `*` matches anything. Several patterns: any of them.
 */
export function rowMatcher(patterns: ReadonlyArray<string>): (group: string, setting: string) => boolean {
  const regexes = patterns.map((p) => new RegExp(p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*'), 'i'));
  return (group, setting) => regexes.some((r) => r.test(group) || r.test(setting) || r.test(`${group} ${setting}`));
}
