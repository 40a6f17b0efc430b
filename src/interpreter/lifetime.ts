/**
 * Who still holds the file (TRACE-FORMAT lifetime): the fd, each process's
 * mapping (vma->vm_file), the VM's memslot binding; and whether the inode
 * was evicted and whether `close` took everything at once. Each change is
 * one kernel event, named by a method.
 */
export interface LifetimeSnapshot {
  /** the fd is open. */
  readonly fdOpen: boolean;
  /** processes that map the file (each mapping holds a reference). */
  readonly mappers: ReadonlySet<number>;
  /** the VM's memslot binding exists (unbind deletes it). */
  readonly bound: boolean;
  /** the inode was evicted: the last reference went (S-ML kvm_gmem_release). */
  readonly released: boolean;
  /** `close` dropped every reference at once: afterwards only unpin, settle and check. */
  readonly closed: boolean;
}

export class Lifetime implements LifetimeSnapshot {
  fdOpen: boolean;
  readonly mappers: Set<number>;
  bound: boolean;
  released: boolean;
  closed: boolean;

  /** A file just created: the fd open, bound, mapped by no process. */
  static initial(): LifetimeSnapshot {
    return { fdOpen: true, mappers: new Set(), bound: true, released: false, closed: false };
  }

  constructor(state: LifetimeSnapshot) {
    this.fdOpen = state.fdOpen;
    this.mappers = new Set();
    for (const q of state.mappers) this.mappers.add(q);
    this.bound = state.bound;
    this.released = state.released;
    this.closed = state.closed;
  }

  snapshot(): LifetimeSnapshot {
    return { fdOpen: this.fdOpen, mappers: this.mappers, bound: this.bound, released: this.released, closed: this.closed };
  }

  /** close(fd). */
  closeFd(): void {
    this.fdOpen = false;
  }

  /** The memslot is deleted. */
  unbind(): void {
    this.bound = false;
  }

  /** The process maps the file (its first access while the fd is open). */
  mappedBy(process: number): void {
    this.mappers.add(process);
  }

  /** The process's mapping of the whole file goes; false when it had none. */
  unmappedBy(process: number): boolean {
    return this.mappers.delete(process);
  }

  /** No reference is left but the mappings, and those go too (eviction). */
  dropMappers(): void {
    this.mappers.clear();
  }

  /** The inode is evicted. */
  release(): void {
    this.released = true;
  }

  /** [model] The VM and its processes go: fd, mappings and binding at once. */
  closeAll(): void {
    this.fdOpen = false;
    this.mappers.clear();
    this.bound = false;
    this.closed = true;
  }
}
