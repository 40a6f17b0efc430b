/**
 * The gmem-trace/1 contract as the selftest generator reads it: the revised
 * ../shared/spec/TRACE-FORMAT.md (ops closeFd, unbind, inject, settle, check;
 * five variants; expect with errorOffset and a memoryFault payload). Kept in
 * this folder so the generator is typed by the contract's JSON shape; at merge
 * it can switch to src/trace/schema.ts once that schema carries the revision.
 * Unknown fields are invalid at every level, as the contract says.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const VARIANTS = ['rfc-v2', 'wip-2025-12', 'tdx-huge-v3', 'inplace-v13', 'inplace-v8'] as const;
export type Variant = (typeof VARIANTS)[number];
export const VM_TYPES = ['sw-protected', 'tdx', 'snp'] as const;
export type VmType = (typeof VM_TYPES)[number];

const ERRNOS = ['SIGBUS', 'EINVAL', 'EAGAIN', 'ENOMEM', 'EOPNOTSUPP', 'ENODEV', 'EFAULT', 'EBADF'] as const;
export type Errno = (typeof ERRNOS)[number];

const count = z.number().int().nonnegative();
const hex = z.string().regex(/^(?:[0-9a-f]{2})*$/, 'must be a lowercase hex string of whole bytes');
const byte = z.string().regex(/^[0-9a-f]{2}$/, 'must be one lowercase hex byte, such as "41"');
const proc = count.optional();
const errno = z.enum(ERRNOS);
const powerOfTwo = (min: number) => z.number().int().min(min).refine((n) => (n & (n - 1)) === 0, 'must be a power of two');

const errorObject = z
  .strictObject({
    error: errno,
    errorOffset: count.optional(),
    exit: z.literal('memory-fault').optional(),
    memoryFault: z.strictObject({ offset: count.optional(), size: count.optional(), private: z.boolean().optional() }).optional(),
  })
  .refine((e) => e.memoryFault === undefined || e.exit === 'memory-fault', { message: 'memoryFault needs "exit": "memory-fault"', path: ['memoryFault'] });

const expectation = z.union([z.literal('ok'), errno, errorObject, z.strictObject({ data: hex }), z.strictObject({ fill: byte })]).optional();
export type Expectation = z.infer<typeof expectation>;

const MODES = ['keep-size', 'punch-hole', 'zero-range', 'collapse-range', 'insert-range', 'unshare-range'] as const;
export type Mode = (typeof MODES)[number];
const modes = z.array(z.enum(MODES));
const access = z.enum(['shared', 'private']).optional();

const write = <T extends z.ZodRawShape>(shape: T) =>
  z
    .strictObject({ ...shape, data: hex.optional(), fill: byte.optional(), length: count.optional(), expect: expectation })
    .refine(
      (step) => {
        const s = step as { data?: string; fill?: string; length?: number };
        return s.data !== undefined ? s.fill === undefined && s.length === undefined : s.fill !== undefined && s.length !== undefined;
      },
      { message: 'a write needs data, or fill with length, not both' },
    );

const checkExpectation = z.strictObject({
  pages: z
    .array(
      z.strictObject({
        offset: count,
        shareability: z.enum(['shared', 'private']).optional(),
        allocated: z.boolean().optional(),
        folioOrder: count.nullable().optional(),
        hostMapped: z.boolean().optional(),
        guestMapping: z.enum(['none', '4k', 'huge']).optional(),
      }),
    )
    .optional(),
  hugetlb: z.strictObject({ free: count.optional(), rsvd: count.optional(), cgroupRsvd: count.optional(), cgroupUsage: count.optional() }).optional(),
  allocatedBytes: count.optional(),
  pendingMerge: count.optional(),
  open: z.boolean().optional(),
});
export type CheckExpectation = z.infer<typeof checkExpectation>;

export const stepSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('create'), size: count, flags: z.array(z.enum(['mmap', 'init-shared', 'hugetlb'])), expect: expectation }),
  z.strictObject({ op: z.literal('hostRead'), offset: count, length: count, process: proc, expect: expectation }),
  write({ op: z.literal('hostWrite'), offset: count, process: proc }),
  z.strictObject({ op: z.literal('guestRead'), offset: count, length: count, access, expect: expectation }),
  write({ op: z.literal('guestWrite'), offset: count, access }),
  z.strictObject({ op: z.literal('convert'), offset: count, length: count, to: z.enum(['shared', 'private']), expect: expectation }),
  z.strictObject({ op: z.literal('fallocate'), offset: count, length: count, mode: modes.optional(), expect: expectation }),
  z.strictObject({ op: z.literal('punchHole'), offset: count, length: count, mode: modes.optional(), expect: expectation }),
  z.strictObject({ op: z.literal('pin'), offset: count, process: proc, expect: expectation }),
  z.strictObject({ op: z.literal('unpin'), offset: count, process: proc, expect: expectation }),
  z.strictObject({ op: z.literal('munmap'), offset: count, length: count, process: proc, expect: expectation }),
  z.strictObject({ op: z.literal('closeFd'), expect: expectation }),
  z.strictObject({ op: z.literal('unbind'), expect: expectation }),
  z.strictObject({ op: z.literal('close'), expect: expectation }),
  z.strictObject({ op: z.literal('settle'), expect: expectation }),
  z.strictObject({ op: z.literal('inject'), fault: z.literal('split-enomem'), expect: expectation }),
  z.strictObject({ op: z.literal('check'), expect: checkExpectation }),
]);
export type Step = z.infer<typeof stepSchema>;

export const traceSchema = z.strictObject({
  format: z.literal('gmem-trace/1'),
  name: z.string().min(1),
  description: z.string().optional(),
  config: z
    .strictObject({
      variant: z.enum(VARIANTS).optional(),
      vmType: z.enum(VM_TYPES).optional(),
      pageSize: powerOfTwo(16).optional(),
      hugePageSize: powerOfTwo(16).optional(),
      poolHugePages: count.optional(),
      policy: z
        .strictObject({
          split: z.enum(['eager', 'lazy']).optional(),
          afterTruncate: z.enum(['keep', 'reset']).optional(),
          restore: z.enum(['allocator-wrapper', 'inode-held']).optional(),
          truncateWhilePinned: z.enum(['eagain', 'defer']).optional(),
        })
        .optional(),
    })
    .optional(),
  expectViolation: z.union([z.string().regex(/^INV-\d+$/), z.array(z.string().regex(/^INV-\d+$/))]).optional(),
  steps: z.array(stepSchema),
});
export type Trace = z.infer<typeof traceSchema>;

/** The kernel's decision for each policy (DOMAIN.md 8): the only values a kernel can be driven through. */
export const KERNEL_POLICY = { split: 'eager', afterTruncate: 'keep', restore: 'allocator-wrapper', truncateWhilePinned: 'eagain' } as const;

function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`), '$');
}

export type LoadResult = { ok: true; trace: Trace } | { ok: false; message: string };

/** Reads and validates one trace file; a bad one gives `INVALID FILE: FILE: $.path: what`. */
export function loadContractTrace(file: string): LoadResult {
  const invalid = (path: string, what: string): LoadResult => ({ ok: false, message: `INVALID FILE: ${file}: ${path}: ${what}` });
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return invalid('$', e.code ? `cannot read it (${e.code})` : `not JSON: ${e.message}`);
  }
  const parsed = traceSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const what = issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
    return invalid(jsonPath(issue.path), what);
  }
  const trace = parsed.data;
  let createdOk = false;
  let created = false;
  for (const [i, step] of trace.steps.entries()) {
    if (!created && step.op !== 'check' && step.op !== 'create') return invalid(`$.steps[${i}].op`, `only check may come before the first create, found ${step.op}`);
    if (step.op === 'create') {
      if (createdOk) return invalid(`$.steps[${i}].op`, 'a second create after one expecting "ok"');
      created = true;
      if (step.expect === 'ok') createdOk = true;
    }
  }
  const { pageSize = 4096, hugePageSize } = trace.config ?? {};
  if (hugePageSize !== undefined && hugePageSize < pageSize) return invalid('$.config.hugePageSize', `must be a power-of-two multiple of pageSize (${pageSize})`);
  return { ok: true, trace };
}
