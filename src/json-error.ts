/**
 * Why a text is not JSON, said where a person looks: `line 3, column 7:
 * expected double-quoted property name`. JSON.parse gives a character
 * position for most errors but not for an unexpected token, and its wording
 * changes between Node versions.
 */
export function jsonErrorWhere(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  const token = /^Unexpected token '(.+?)'/.exec(message);
  const what = token
    ? `unexpected '${token[1]}'`
    : message
        .replace(/\s*\(line \d+ column \d+\)/, '')
        .replace(/\s+in JSON at position \d+.*$/, '')
        .replace(/ after JSON at position \d+.*$/, ' after the JSON value');
  const lowered = what.charAt(0).toLowerCase() + what.slice(1);
  const given = /at position (\d+)/.exec(message);
  const offset = given ? Number(given[1]) : token ? tokenOffset(text) : undefined;
  if (offset === undefined) return /end of JSON input/i.test(message) ? `line ${text.split('\n').length}: the text ends before the JSON does` : lowered;
  const before = text.slice(0, offset);
  return `line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}: ${lowered}`;
}

/** Where the unexpected token is: the shortest prefix that already fails on it (every shorter one ends too early). */
function tokenOffset(text: string): number | undefined {
  const failsOnToken = (k: number) => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (err) {
      return /^Unexpected token/.test((err as Error).message);
    }
  };
  if (!failsOnToken(text.length)) return undefined;
  let [lo, hi] = [0, text.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsOnToken(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}
