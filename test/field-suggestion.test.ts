/**
 * The unknown-field suggestion reads the allowed fields from whatever zod
 * schema it is given, so ops and fields added to the trace contract are
 * suggested without a list to keep in step.
 */
import { z } from 'zod';
import { closest, editDistance, firstIssue, unknownField } from '../src/trace/field-suggestion';

// A schema shaped like the trace contract, with an op it does not have today.
const schema = z.strictObject({
  steps: z.array(
    z.discriminatedUnion('op', [
      z.strictObject({ op: z.literal('closeFd'), fd: z.number(), expect: z.string().optional() }),
      z.strictObject({ op: z.literal('unbind'), slot: z.number(), length: z.number() }),
    ]),
  ),
  config: z.strictObject({ variant: z.enum(['tdx-huge-v3', 'inplace-v13']).optional() }).optional(),
});

function explain(data: unknown): [string, string] | undefined {
  const parsed = schema.safeParse(data);
  if (parsed.success) return undefined;
  return unknownField(schema, data, firstIssue(parsed.error.issues));
}

describe('unknown fields', () => {
  it('suggest from the union member the op names, even for ops added later', () => {
    expect(explain({ steps: [{ op: 'closeFd', fd: 3 }, { op: 'unbind', slot: 1, lenght: 2 }] })).toEqual(['$.steps[1].lenght', 'unknown field; did you mean "length"?']);
    expect(explain({ steps: [{ op: 'closeFd', fdd: 3 }] })).toEqual(['$.steps[0].fdd', 'unknown field; did you mean "fd"?']);
  });

  it('walk optional objects, and list what is allowed when nothing is close', () => {
    expect(explain({ steps: [], config: { varient: 'tdx-huge-v3' } })).toEqual(['$.config.varient', 'unknown field; did you mean "variant"?']);
    expect(explain({ steps: [], config: { zzz: 1 } })).toEqual(['$.config.zzz', 'unknown field (allowed here: variant)']);
  });

  it('an unknown field wins over the missing field it was meant to be', () => {
    const data = { steps: [{ op: 'unbind', slot: 1, lenght: 2 }] };
    const issues = schema.safeParse(data).error!.issues;
    expect(issues[0]!.code).toBe('invalid_type');
    expect(firstIssue(issues).code).toBe('unrecognized_keys');
  });

  it('counts a swapped pair of letters as one edit, and suggests only near names', () => {
    expect(editDistance('lenght', 'length')).toBe(1);
    expect(closest('lenght', ['offset', 'length'])).toBe('length');
    expect(closest('Length', ['length'])).toBe('length');
    expect(closest('banana', ['offset', 'length'])).toBeUndefined();
  });
});
