/**
 * What a search keeps of every state it reached, by id, in typed columns
 * (13 bytes a state, 21 with symmetry, where arrays of numbers cost 8 bytes a field): the
 * parent and the step from it (a shortest path back to the empty machine,
 * how counterexamples are rebuilt), its depth, the transitions computed
 * from it (-1: not expanded; shards merge by these) and, with symmetry, the
 * packed relabelling from the state its step made to the canonical one.
 */
export class StateTable {
  private parents = new Int32Array(1024);
  private vias = new Int32Array(1024);
  private depths = new Uint8Array(1024);
  private degrees = new Int32Array(1024);
  /** made at the first state reached through a renaming (symmetry), else none. */
  private relabels: Float64Array | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** A new state's id. */
  add(parent: number, via: number, depth: number, relabel: number): number {
    if (this.count === this.parents.length) this.grow();
    const id = this.count++;
    this.parents[id] = parent;
    this.vias[id] = via;
    this.depths[id] = depth;
    this.degrees[id] = -1;
    if (relabel !== 0) (this.relabels ??= new Float64Array(this.parents.length))[id] = relabel;
    return id;
  }

  parent(id: number): number {
    return this.parents[id]!;
  }

  via(id: number): number {
    return this.vias[id]!;
  }

  depth(id: number): number {
    return this.depths[id]!;
  }

  degree(id: number): number {
    return this.degrees[id]!;
  }

  setDegree(id: number, transitions: number): void {
    this.degrees[id] = transitions;
  }

  relabel(id: number): number {
    return this.relabels ? this.relabels[id]! : 0;
  }

  private grow(): void {
    const n = this.parents.length * 2;
    const grown = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.parents = grown(this.parents, (k) => new Int32Array(k));
    this.vias = grown(this.vias, (k) => new Int32Array(k));
    this.depths = grown(this.depths, (k) => new Uint8Array(k));
    this.degrees = grown(this.degrees, (k) => new Int32Array(k));
    if (this.relabels) this.relabels = grown(this.relabels, (k) => new Float64Array(k));
  }
}
