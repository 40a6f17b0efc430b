/**
 * The gmem-trace/1 format (docs/TRACE-FORMAT.md) as a zod schema: unknown
 * fields are invalid at every level, and every message names the JSON path.
 * Rules the schema cannot say (only check before the first create, no second
 * create after one expecting ok, "HANG" only on the last step) are in
 * `structuralProblems`.
 */
import { z } from 'zod';
import { ERRNOS } from '../../machines/outcome';
import { AFTER_TRUNCATE, RESTORE, SHAREABILITY, SPLIT, TRUNCATE_WHILE_PINNED, VARIANTS, VM_TYPES } from '../../machines/policy';
import { profileOf } from '../../machines/variant';
import { INVARIANT_NAMES } from '../../machines/invariants';

const count = z.number().int().nonnegative();
const hex = z.string().regex(/^(?:[0-9a-f]{2})*$/, 'must be a lowercase hex string of whole bytes');
const byte = z.string().regex(/^[0-9a-f]{2}$/, 'must be one lowercase hex byte, such as "41"');
const process = count.optional();
const powerOfTwo = (min: number) =>
  z.number().int().min(min).refine((n) => (n & (n - 1)) === 0, 'must be a power of two');

const errno = z.enum(ERRNOS);
/** The operation never returns (INV-14; DOMAIN 9): valid only on a trace's last step (structuralProblems). */
export const HANG = 'HANG';
const expectation = z
  .union([
    z.literal('ok'),
    errno,
    z.literal(HANG),
    z.strictObject({
      error: errno,
      errorOffset: count.optional(),
      exit: z.literal('memory-fault').optional(),
      memoryFault: z.strictObject({ offset: count.optional(), size: count.optional(), private: z.boolean().optional() }).optional(),
    }),
    z.strictObject({ data: hex }),
    z.strictObject({ fill: byte }),
  ], { error: `must be "ok", one of ${ERRNOS.join(', ')}, "${HANG}", or an object with error, data or fill` })
  .optional();

const modes = z.array(z.enum(['keep-size', 'punch-hole', 'zero-range', 'collapse-range', 'insert-range', 'unshare-range']));

/** A write's payload: `data`, or `fill` with `length`. */
const payload = <T extends z.ZodRawShape>(shape: T) =>
  z
    .strictObject({ ...shape, data: hex.optional(), fill: byte.optional(), length: count.optional(), expect: expectation })
    .superRefine((step, ctx) => {
      const s = step as { data?: string; fill?: string; length?: number };
      if (s.data !== undefined && (s.fill !== undefined || s.length !== undefined)) {
        ctx.addIssue({ code: 'custom', message: 'give either data, or fill with length, not both' });
      } else if (s.data === undefined && (s.fill === undefined || s.length === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'a write needs data, or fill with length' });
      }
    });

const pageCheck = z.strictObject({
  offset: count,
  shareability: z.enum(SHAREABILITY).optional(),
  allocated: z.boolean().optional(),
  folioOrder: count.nullable().optional(),
  hostMapped: z.boolean().optional(),
  guestMapping: z.enum(['none', '4k', 'huge']).optional(),
});

export const checkExpectation = z.strictObject({
  pages: z.array(pageCheck).optional(),
  hugetlb: z.strictObject({ free: count.optional(), rsvd: count.optional(), cgroupRsvd: count.optional(), cgroupUsage: count.optional() }).optional(),
  allocatedBytes: count.optional(),
  pendingMerge: count.optional(),
  open: z.boolean().optional(),
});

const access = z.enum(SHAREABILITY).optional();

export const stepSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('create'), size: count, flags: z.array(z.enum(['mmap', 'init-shared', 'hugetlb'])), expect: expectation }),
  z.strictObject({ op: z.literal('hostRead'), offset: count, length: count, process, expect: expectation }),
  payload({ op: z.literal('hostWrite'), offset: count, process }),
  z.strictObject({ op: z.literal('guestRead'), offset: count, length: count, access, expect: expectation }),
  payload({ op: z.literal('guestWrite'), offset: count, access }),
  z.strictObject({ op: z.literal('convert'), offset: count, length: count, to: z.enum(SHAREABILITY), expect: expectation }),
  z.strictObject({ op: z.literal('fallocate'), offset: count, length: count, mode: modes.optional(), expect: expectation }),
  z.strictObject({ op: z.literal('punchHole'), offset: count, length: count, mode: modes.optional(), expect: expectation }),
  z.strictObject({ op: z.literal('pin'), offset: count, process, expect: expectation }),
  z.strictObject({ op: z.literal('unpin'), offset: count, process, expect: expectation }),
  z.strictObject({ op: z.literal('munmap'), offset: count, length: count, process, expect: expectation }),
  z.strictObject({ op: z.literal('closeFd'), expect: expectation }),
  z.strictObject({ op: z.literal('unbind'), expect: expectation }),
  z.strictObject({ op: z.literal('close'), expect: expectation }),
  z.strictObject({ op: z.literal('settle'), expect: expectation }),
  z.strictObject({ op: z.literal('inject'), fault: z.literal('split-enomem'), expect: expectation }),
  z.strictObject({ op: z.literal('check'), expect: checkExpectation }),
]);

const invariantName = z.enum(INVARIANT_NAMES as [string, ...string[]]);

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
          split: z.enum(SPLIT).optional(),
          afterTruncate: z.enum(AFTER_TRUNCATE).optional(),
          restore: z.enum(RESTORE).optional(),
          truncateWhilePinned: z.enum(TRUNCATE_WHILE_PINNED).optional(),
        })
        .optional(),
    })
    .optional(),
  expectViolation: z.union([invariantName, z.array(invariantName)], { error: `must be an invariant name (${INVARIANT_NAMES[0]} to ${INVARIANT_NAMES[INVARIANT_NAMES.length - 1]}) or a list of them` }).optional(),
  steps: z.array(stepSchema),
});

export type Trace = z.infer<typeof traceSchema>;
export type TraceStep = z.infer<typeof stepSchema>;
export type Expectation = z.infer<typeof expectation>;
export type CheckExpectation = z.infer<typeof checkExpectation>;

/** `$.steps[3].offset` from a zod issue path. */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`), '$');
}

/** What the schema cannot express; each problem is [path, message]. */
export function structuralProblems(trace: Trace): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  const { pageSize = 4096, hugePageSize } = trace.config ?? {};
  if (hugePageSize !== undefined && hugePageSize < pageSize) {
    problems.push(['$.config.hugePageSize', `must be a power-of-two multiple of pageSize (${pageSize})`]);
  }
  // A tree that runs only some VM types (mainline-6.12: sw-protected, DOMAIN 7.4) cannot be asked for another.
  const { variant, vmType = VM_TYPES[0] } = trace.config ?? {};
  const vmTypes = variant ? profileOf(variant).vmTypes : VM_TYPES;
  if (!vmTypes.includes(vmType)) problems.push(['$.config.vmType', `${variant} runs only ${vmTypes.join(', ')} VMs, not ${vmType}`]);
  let created = false;
  let createdOk = false;
  trace.steps.forEach((step, i) => {
    const expect = 'expect' in step ? (step.expect as { memoryFault?: unknown; exit?: unknown } | undefined) : undefined;
    if (typeof expect === 'object' && expect && 'memoryFault' in expect && expect.memoryFault !== undefined && expect.exit !== 'memory-fault') {
      problems.push([`$.steps[${i}].expect.memoryFault`, 'needs "exit": "memory-fault"']);
    }
    // Nothing after an operation that never returns is observable (TRACE-FORMAT expect, Validity; DOMAIN 9 INV-14).
    if (step.op !== 'check' && step.expect === HANG && i < trace.steps.length - 1) {
      problems.push([`$.steps[${i}].expect`, `"${HANG}" (the operation never returns) is allowed only on the last step: the ${trace.steps.length - 1 - i} step(s) after it could never run`]);
    }
    if (!created && step.op !== 'check' && step.op !== 'create') {
      problems.push([`$.steps[${i}].op`, `only check may come before the first create, found ${step.op}`]);
    }
    if (step.op === 'create') {
      if (createdOk) problems.push([`$.steps[${i}].op`, 'a second create after one expecting "ok"']);
      created = true;
      if (step.expect === 'ok') createdOk = true;
    }
  });
  return problems;
}
