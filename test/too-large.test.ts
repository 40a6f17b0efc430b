/**
 * A valid trace too large for the model is refused with one clear line, not
 * run out of memory: a fallocate of a whole 64 TiB file of 2 MiB pages would
 * make 2^25 block records. The CLI prints the InputError's message and exits 2.
 */
import { MAX_TOUCHED_BLOCKS } from '../src/interpreter/gmem-file';
import { runTrace } from '../src/trace/replay';
import { traceSchema } from '../src/trace/schema';
import { InputError } from '../src/input-error';

const SIZE = 2 ** 46;

it('refuses a trace touching more blocks than the model keeps records for', () => {
  const trace = traceSchema.parse({
    format: 'gmem-trace/1',
    name: 'too-large',
    config: { variant: 'rfc-v2', pageSize: 4096, hugePageSize: 2 ** 21 },
    steps: [
      { op: 'create', size: SIZE, flags: ['mmap', 'hugetlb'], expect: 'ok' },
      { op: 'fallocate', offset: 0, length: SIZE, expect: 'ok' },
    ],
  });
  let error: unknown;
  try {
    runTrace(trace);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(InputError);
  expect((error as Error).message).toBe(
    `the file's operations touch more than ${MAX_TOUCHED_BLOCKS.toLocaleString('en')} blocks (block ${MAX_TOUCHED_BLOCKS} of 33,554,432): the model keeps a record per touched block and refuses beyond that`,
  );
});
