/**
 * xstate/graph's path de-duplication (TestModel.getPaths without
 * allowDuplicatePaths), in linear time: drop every path whose event sequence
 * is a prefix of a longer path's. The library's compares each path with every
 * path kept so far, which took 0.4 s of `npm start` on the folio machine's
 * simple paths alone. Same result, same order: longest first (a stable sort
 * by length), a path kept unless a kept path starts with its events.
 * Events compare as JSON, as the library's default serializeEvent does.
 */
interface Trie {
  next: Map<string, Trie>;
}

export function withoutPrefixPaths<P extends { steps: ReadonlyArray<{ event: unknown }> }>(paths: ReadonlyArray<P>): P[] {
  const byLength = [...paths].sort((a, z) => z.steps.length - a.steps.length);
  const kept: P[] = [];
  const root: Trie = { next: new Map() };
  for (const path of byLength) {
    const sequence = path.steps.map((s) => JSON.stringify(s.event));
    // Kept paths are at least as long: this one is a prefix of one iff its whole sequence is in the trie.
    let node: Trie | undefined = root;
    for (const e of sequence) if ((node = node.next.get(e)) === undefined) break;
    // (An empty sequence is a prefix of any kept path; the library keeps it only when none is kept yet.)
    if (node !== undefined && (sequence.length > 0 || kept.length > 0)) continue;
    kept.push(path);
    node = root;
    for (const e of sequence) {
      let child: Trie | undefined = node.next.get(e);
      if (!child) node.next.set(e, (child = { next: new Map() }));
      node = child;
    }
  }
  return kept;
}
