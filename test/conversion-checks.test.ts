/**
 * INV-6 scoped to the pages a conversion covers (DOMAIN 9): a length-0
 * conversion covers none, whatever its offset (S-V2c
 * `kvm_gmem_ioctl_convert_range`, E5).
 */
import { conversionPages } from '../src/invariants';
import { runTrace } from '../src/trace/replay';
import type { Trace } from '../src/trace/schema';

const trace = (variant: 'rfc-v2' | 'tdx-huge-v3' | 'inplace-v13', steps: Trace['steps'], expectViolation?: string): Trace => ({
  format: 'gmem-trace/1',
  name: 'conversion-checks',
  config: { variant, vmType: 'sw-protected', pageSize: 16, hugePageSize: variant === 'inplace-v13' ? 16 : 32 },
  ...(expectViolation ? { expectViolation } : {}),
  steps,
});

describe('INV-6: a length-0 conversion covers no page', () => {
  it('conversionPages: empty at any offset, aligned or not, in the file or past it', () => {
    for (const offset of [0, 5, 16, 21, 64, 1000]) {
      const r = conversionPages(4, 16, offset, 0);
      expect(r.to).toBe(r.from);
    }
    expect(conversionPages(4, 16, 5, 16)).toEqual({ from: 0, to: 2 });
    expect(conversionPages(4, 16, 48, 64)).toEqual({ from: 3, to: 4 });
  });

  it('rfc-v2: a to-private conversion of length 0 at an unaligned offset returns 0, changes nothing, and breaks nothing', () => {
    const r = runTrace(trace('rfc-v2', [
      { op: 'create', size: 64, flags: ['mmap', 'init-shared', 'hugetlb'], expect: 'ok' },
      { op: 'convert', offset: 21, length: 0, to: 'private', expect: 'ok' },
      { op: 'convert', offset: 3, length: 0, to: 'private', expect: 'ok' },
      { op: 'check', expect: { pages: [{ offset: 16, shareability: 'shared' }, { offset: 0, shareability: 'shared' }] } },
    ]));
    expect(r.failure).toBeUndefined();
  });

  it('a conversion of length > 0 that records nothing still breaks it (K8)', () => {
    const r = runTrace(trace('rfc-v2', [
      { op: 'create', size: 64, flags: ['hugetlb'], expect: 'ok' },
      { op: 'convert', offset: 16, length: 16, to: 'shared', expect: 'ok' },
    ]));
    expect(r.failure?.actual).toBe('INV-6 violated at page 1: a conversion to shared returned 0 and left the page private');
  });
});

