/**
 * The states a search has seen, as TLC's FPSet keeps them once a scope
 * outgrows exact storage: up to `exactLimit` states by their exact encoding
 * (a Map), then every state by its 53-bit fingerprint (fingerprint.ts) in an
 * open-addressing table of doubles and ids, 12 bytes a slot at most three
 * quarters full, where an encoding costs its length twice plus a Map entry
 * (about 300 bytes a state in the cross-block scope). Past the switch two distinct states may
 * share a fingerprint and the later one be taken for the earlier: the search
 * then misses it and what only it reaches, with probability at most
 * n^2 / 2^54 for n states (`collisionOdds`), which the explorer prints.
 * Counterexamples stay exact: they are rebuilt from the parent chain and
 * replayed, never from a fingerprint.
 */
import { fingerprint } from './fingerprint';

export class SeenStates {
  private exact: Map<string, number> | undefined = new Map();
  private table = new Float64Array(0);
  private ids = new Int32Array(0);
  private used = 0;
  /** the number of states held exactly when the set turned to fingerprints (undefined: still exact). */
  fingerprintedAfter: number | undefined;

  constructor(private readonly exactLimit: number) {}

  get size(): number {
    return this.exact ? this.exact.size : this.used;
  }

  /** Adds a state never seen; returns false (and adds nothing) when it was seen. */
  add(encoding: string, id: number): boolean {
    if (this.exact) {
      if (this.exact.has(encoding)) return false;
      this.exact.set(encoding, id);
      if (this.exact.size > this.exactLimit) this.toFingerprints();
      return true;
    }
    return this.addFingerprint(fingerprint(encoding), id);
  }

  /** Every state's fingerprint and id (for shard files and --merge, which exchange fingerprints). */
  *fingerprints(): IterableIterator<[fingerprint: number, id: number]> {
    if (this.exact) {
      for (const [enc, id] of this.exact) yield [fingerprint(enc), id];
      return;
    }
    for (let i = 0; i < this.table.length; i++) if (this.table[i]) yield [this.table[i]! - 1, this.ids[i]!];
  }

  /** The probability that two of the states held share a fingerprint (0 while exact). */
  collisionOdds(): number {
    return this.exact ? 0 : Math.min(1, (this.used * this.used) / 2 ** 54);
  }

  private toFingerprints(): void {
    const exact = this.exact!;
    this.fingerprintedAfter = exact.size;
    this.exact = undefined;
    this.grow(exact.size * 4);
    for (const [enc, id] of exact) this.addFingerprint(fingerprint(enc), id);
  }

  private addFingerprint(fp: number, id: number): boolean {
    if ((this.used + 1) * 4 > this.table.length * 3) this.grow(this.table.length * 2);
    // Stored plus one, so 0 marks an empty slot.
    const key = fp + 1;
    const mask = this.table.length - 1;
    for (let i = fp % this.table.length; ; i = (i + 1) & mask) {
      const at = this.table[i]!;
      if (at === key) return false;
      if (at === 0) {
        this.table[i] = key;
        this.ids[i] = id;
        this.used++;
        return true;
      }
    }
  }

  private grow(atLeast: number): void {
    let capacity = 1024;
    while (capacity < atLeast) capacity *= 2;
    const [table, ids] = [this.table, this.ids];
    this.table = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
    this.used = 0;
    for (let i = 0; i < table.length; i++) if (table[i]) this.addFingerprint(table[i]! - 1, ids[i]!);
  }
}
