/**
 * What a guest_memfd file is made of, for the code that runs plans and
 * applies the folio machine's effects across its parts: the file's fixed
 * shape and settings, the arena it lives in, and the parts that hold its
 * state (src/interpreter/gmem-file.ts puts them together).
 */
import type { VariantProfile } from '../../machines/variant';
import type { Policy, Variant, VmType } from '../../machines/policy';
import type { PhysicalMemory } from '../arena/memory';
import type { HugePool } from '../arena/pool';
import type { FaultName } from './config';
import type { FolioTable } from './folio-table';
import type { Lifetime } from './lifetime';
import type { PageStore } from './page-store';
import type { PoolAccount } from './pool-account';
import type { StepChanges } from './step-changes';

export interface FileGeometry {
  size: number;
  pageSize: number;
  /** pages per block: hugePageSize / pageSize with HugeTLB, else 1. */
  blockPages: number;
  hugetlb: boolean;
  mmap: boolean;
  initShared: boolean;
}

export interface FileSettings {
  variant: Variant;
  /** the tree's choices (machines/variant.ts): the only place the interpreter learns how trees differ. */
  profile: VariantProfile;
  vmType: VmType;
  policy: Policy;
  /** seeded bugs (tests only; see FAULTS in config.ts). */
  faults: ReadonlySet<FaultName>;
}

export interface FileParts {
  readonly geometry: FileGeometry;
  readonly settings: FileSettings;
  readonly pool: HugePool;
  readonly memory: PhysicalMemory;
  readonly nBlocks: number;
  /** the range-machine code every page starts in. */
  readonly initialCode: number;
  readonly changes: StepChanges;
  readonly store: PageStore;
  readonly folios: FolioTable;
  readonly account: PoolAccount;
  readonly lifetime: Lifetime;
  /** an injected split failure waits for the next split of a huge folio. */
  splitArmed: boolean;
}
