/**
 * A `check` that cannot be compared says why, in the failure replay prints:
 * a page asked of a file that does not exist yet, and a page beyond the
 * file's end (TRACE-FORMAT check). The engine's field list
 * (src/engine/observe.ts) words both.
 */
import { runTrace } from '../src/trace/replay';
import type { Trace } from '../src/trace/schema';

const trace = (steps: Trace['steps']): Trace => ({ format: 'gmem-trace/1', name: 'check-failures', config: { variant: 'rfc-v2' }, steps });

describe('a check that cannot be compared', () => {
  it('names the page asked of a file that does not exist yet', () => {
    const result = runTrace(trace([{ op: 'check', expect: { pages: [{ offset: 4096, shareability: 'shared' }] } }]));
    expect(result.pass).toBe(false);
    expect(result.failure).toMatchObject({ step: 0 });
    expect(result.failure!.expected).toContain('pages[0] at offset 4096');
    expect(result.failure!.actual).toContain('no file');
  });

  it('names a page beyond the end of the file, with the file\'s size', () => {
    const result = runTrace(trace([
      { op: 'create', size: 8192, flags: ['mmap'], expect: 'ok' },
      { op: 'check', expect: { pages: [{ offset: 0, shareability: 'private' }, { offset: 8192, shareability: 'private' }] } },
    ]));
    expect(result.pass).toBe(false);
    expect(result.failure).toMatchObject({ step: 1 });
    expect(result.failure!.expected).toContain('pages[1] at offset 8192');
    expect(result.failure!.actual).toContain("offset beyond the file's 8192 bytes");
    expect(result.failure!.expected).not.toContain('pages[0]');
  });
});
