/**
 * One state description per class: every field of the simulator, the pool,
 * the memory, the file and each of the file's parts is carried by the
 * class's snapshot() (under the field's own name), or named in the class's
 * NOT_IN_SNAPSHOT with the reason no snapshot carries it (per-step scratch,
 * derived from other state, shared with the owner). A field added and left
 * out of both fails here: it would be missing from every clone and from the
 * explorer's states (state-codec.ts reads and builds states as snapshots).
 */
import { defaultConfig } from '../src/interpreter/config';
import { convert } from '../src/interpreter/ops/convert';
import { create } from '../src/interpreter/ops/create';
import { guestAccess } from '../src/interpreter/ops/guest-access';
import { hostAccess } from '../src/interpreter/ops/host-access';
import { pin } from '../src/interpreter/ops/pin';
import { Simulator } from '../src/interpreter/simulator';

interface Stateful {
  snapshot(): object;
}

const isStateful = (x: unknown): x is Stateful => typeof x === 'object' && x !== null && typeof (x as Stateful).snapshot === 'function';

/** For `root` and every stateful object its snapshot reaches: each field neither carried nor declared, each declaration that names no field or a carried one, each carried name that is no field. */
function unaccounted(root: Stateful): { problems: string[]; classes: Set<string> } {
  const problems: string[] = [];
  const classes = new Set<string>();
  const visit = (obj: Stateful) => {
    const name = obj.constructor.name;
    classes.add(name);
    const fields = Object.keys(obj);
    const carried = Object.keys(obj.snapshot());
    const declared = Object.keys((obj.constructor as { NOT_IN_SNAPSHOT?: object }).NOT_IN_SNAPSHOT ?? {});
    for (const f of fields) if (!carried.includes(f) && !declared.includes(f)) problems.push(`${name}.${f} is neither in its snapshot nor in ${name}.NOT_IN_SNAPSHOT`);
    for (const d of declared) if (!fields.includes(d) || carried.includes(d)) problems.push(`${name}.NOT_IN_SNAPSHOT names ${d}, which is ${fields.includes(d) ? 'in the snapshot too' : 'no field'}`);
    for (const c of carried) if (!fields.includes(c)) problems.push(`${name}.snapshot() carries ${c}, which is no field of ${name}`);
    for (const c of carried) {
      const value = (obj as unknown as Record<string, unknown>)[c];
      if (isStateful(value)) visit(value);
    }
  };
  visit(root);
  return { problems, classes };
}

/** Machines with a file that holds folios, pins and mappings, under a tree with HugeTLB and one whose shared memory is the memslot's. */
function machines(): Simulator[] {
  const MiB = 1024 * 1024;
  const huge = new Simulator(defaultConfig({ variant: 'rfc-v2', poolHugePages: 4 }));
  const steps = [
    create(huge, 4 * MiB, ['mmap', 'hugetlb']),
    convert(huge, 0, 2 * MiB, 'shared'),
    hostAccess(huge, 0, 4096, 0, { fill: 0x41, length: 4096 }),
    pin(huge, 0, 1),
    guestAccess(huge, 2 * MiB, 4096, 'private', { fill: 0x42, length: 4096 }),
  ];
  const memslot = new Simulator(defaultConfig({ variant: 'mainline-6.12' }));
  steps.push(
    create(memslot, 8 * 4096, []),
    convert(memslot, 0, 4096, 'shared'),
    guestAccess(memslot, 0, 4096, 'shared', { fill: 0x43, length: 4096 }),
    guestAccess(memslot, 4096, 4096, 'private', { fill: 0x44, length: 4096 }),
  );
  expect(steps.map((o) => o.kind)).toEqual(steps.map(() => 'ok'));
  return [huge, memslot];
}

it.each(machines().map((sim) => [sim.config.variant, sim] as const))('every field is in its snapshot or declared not to be: %s', (_, sim) => {
  const { problems, classes } = unaccounted(sim);
  expect(problems).toEqual([]);
  // The walk reached every stateful class (a part the file gains is reached through the file's snapshot).
  for (const name of ['Simulator', 'PhysicalMemory', 'HugePool', 'GmemFile', 'PageStore', 'FolioTable', 'PoolAccount', 'Lifetime']) expect(classes).toContain(name);
});

it('a field added to a part and left out of its snapshot is caught', () => {
  const [sim] = machines();
  Object.assign(sim!.file!.folios, { forgotten: 1 });
  expect(unaccounted(sim!).problems).toEqual(['FolioTable.forgotten is neither in its snapshot nor in FolioTable.NOT_IN_SNAPSHOT']);
});

it('a copy is made from the snapshot alone: it describes the same state', () => {
  for (const sim of machines()) {
    const copy = sim.clone();
    const describe = (s: Simulator) => {
      const file = s.file!;
      return stable({
        pool: { ...s.pool.snapshot(), meta: [...s.pool.snapshot().meta.values()] },
        pages: [...file.pages.runs()],
        uptodate: [...file.store.uptodate.runs()],
        exposed: [...file.store.exposed.runs()],
        guest4k: [...file.guest4k.ranges()],
        hostMaps: [...file.hostMaps].map(([q, pages]) => [q, [...pages.ranges()]]),
        records: file.records.toArray(),
        pins: file.pinStack,
        account: file.account.snapshot(),
        lifetime: { ...file.lifetime.snapshot(), mappers: [...file.lifetime.mappers] },
        counts: [file.folios.heldFolios, file.folios.currentPins],
        bytes: s.memory.framesIn(0, 1 << 30).map((pfn) => s.memory.digest(pfn)),
        slotBytes: file.slotMemory?.framesIn(0, file.nPages).map((pfn) => file.slotMemory!.digest(pfn)),
      });
    };
    expect(describe(copy)).toBe(describe(sim));
  }
});

/** JSON with every object's keys sorted and maps as their entries. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => {
    if (v instanceof Map) return [...v];
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
    return v;
  });
}
