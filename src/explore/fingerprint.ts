/**
 * A 53-bit fingerprint of a state's encoding (two 32-bit FNV-1a variants,
 * 32 + 21 bits), as TLC keeps 64-bit fingerprints: shards exchange these
 * instead of encodings. Two distinct states share one with probability about
 * n^2 / 2^54 (1e-4 at a million states); a single run deduplicates by the
 * exact encoding and uses these only to split work between shards.
 */
export function fingerprint(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}
