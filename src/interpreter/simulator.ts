/**
 * The guest_memfd simulator's state: one file over a byte-accurate arena,
 * driven by the machines, with its snapshot, restore and copy. The
 * operations of DOMAIN 4 act on it, one file each in ops/ (the table that
 * runs them: src/engine/operations.ts); everything about pages and folios
 * is asked of the machines through GmemFile.
 */
import type { Shareability } from '../../machines/policy';
import type { CreateFlag, VariantProfile } from '../../machines/variant';
import { profileOf } from '../../machines/variant';
import type { Exposure } from './content';
import { PhysicalMemory } from '../arena/memory';
import type { MemorySnapshot } from '../arena/memory';
import { HugePool } from '../arena/pool';
import type { FolioMeta, PoolSnapshot } from '../arena/pool';
import { GmemFile } from './gmem-file';
import type { GmemFileSnapshot } from './gmem-file';
import type { SimConfig } from './config';

// The simulator's vocabulary, for callers that drive it and import from here only.
export type { CreateFlag };

/** The whole machine's state: the configuration, the arena and the file. A snapshot shares the live structures; Simulator.fromSnapshot copies them. */
export interface SimulatorSnapshot {
  readonly config: SimConfig;
  readonly memory: MemorySnapshot;
  readonly pool: PoolSnapshot;
  readonly file: GmemFileSnapshot | undefined;
}

export class Simulator {
  /** The fields no snapshot carries, and why (test/snapshot-fields.test.ts holds every other field to the snapshot). */
  static readonly NOT_IN_SNAPSHOT = {
    baseline: 'the pool as the configuration makes it',
    exposed: 'per-step scratch, emptied by the step runner',
    convertFailure: 'per-step scratch, cleared by the step runner',
    impossibleAccess: 'per-step scratch, cleared by the step runner',
  };

  readonly memory: PhysicalMemory;
  readonly pool: HugePool;
  readonly baseline: { free: number; rsvd: number; cgroupRsvd: number; cgroupUsage: number };
  file?: GmemFile;
  /** page ranges first exposed by the current step (INV-9's coverage). */
  exposed: Exposure[] = [];
  /** the unit (pages [from, to)) at which the last conversion failed, for INV-12. */
  convertFailure?: { from: number; to: number };
  /**
   * The first page of the current step whose shareability a sw-protected
   * guest access's explicit `access` contradicted when the access reached it:
   * input that cannot happen (E8), which replay reports as an invalid trace
   * (TRACE-FORMAT Validity, found at run time). Reset by the step runner.
   */
  impossibleAccess?: { page: number; access: Shareability; shareability: Shareability };

  /** `storage.slabPages`: how many pages a slab of the arena holds (storage only: no answer depends on it). */
  constructor(
    readonly config: SimConfig,
    storage: { slabPages?: number } = {},
  ) {
    this.memory = new PhysicalMemory(config.pageSize, storage.slabPages);
    this.pool = new HugePool(config.poolHugePages, Math.max(1, config.hugePageSize / config.pageSize));
    this.baseline = { free: this.pool.free, rsvd: this.pool.rsvd, cgroupRsvd: 0, cgroupUsage: 0 };
  }

  /**
   * A machine in the state `state` describes, everything copied: each folio
   * once, so the pool's metadata, the file's records and the pins that share
   * a folio there share its copy here. Nothing has happened yet in the step.
   */
  static fromSnapshot(state: SimulatorSnapshot): Simulator {
    const copies = new Map<FolioMeta, FolioMeta>();
    const copyOfFolio = (folio: FolioMeta): FolioMeta => {
      let copy = copies.get(folio);
      if (!copy) copies.set(folio, (copy = { ...folio, pins: new Map(folio.pins) }));
      return copy;
    };
    const sim = new Simulator(state.config, { slabPages: state.memory.slabPages });
    sim.memory.restore(state.memory);
    sim.pool.restore(state.pool, copyOfFolio);
    if (state.file) sim.file = new GmemFile(state.file, sim.pool, sim.memory, copyOfFolio);
    return sim;
  }

  snapshot(): SimulatorSnapshot {
    return { config: this.config, memory: this.memory.snapshot(), pool: this.pool.snapshot(), file: this.file?.snapshot() };
  }

  /** An independent copy of the whole machine (the explorer forks a state per step it tries). */
  clone(): Simulator {
    return Simulator.fromSnapshot(this.snapshot());
  }

  get profile(): VariantProfile {
    return profileOf(this.config.variant);
  }
}
