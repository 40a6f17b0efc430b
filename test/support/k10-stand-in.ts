/**
 * A stand-in for known defect K10 until the simulator's conversion returns
 * `hang` itself (DOMAIN 7.3 K10, case (a); S-V2c
 * `kvm_gmem_restructure_folios_in_range`): an rfc-v2 split failure whose
 * request starts in block 0 never returns. Tests that plumb the `hang`
 * outcome through replay, the explorer, the reports, the viewer and the
 * selftest emitter install it with jest.mock (see test/hang.test.ts):
 *
 *   jest.mock('../src/interpreter/convert', () => jest.requireActual('./support/k10-stand-in').convertModule());
 *   jest.mock('../machines/known-defects', () => jest.requireActual('./support/k10-stand-in').knownDefectsModule());
 *
 * It wraps the real conversion: the outcome is the real one, except that an
 * ENOMEM whose failing unit starts in block 0 becomes a hang. The K10 row is
 * the one DOMAIN 7.3 gives (known-defects gets it with the conversion).
 */
import type { KnownDefect } from '../../machines/known-defects';
import type { Simulator, StepOutcome } from '../../src/interpreter/simulator';

export const K10: KnownDefect = {
  id: 'K10',
  variants: ['rfc-v2'],
  invariant: 'INV-14',
  inject: true,
  trace: 'k10-rfc-v2-rollback-from-block-0-never-returns',
  source: 'S-V2c `kvm_gmem_restructure_folios_in_range`',
  scenario: 'the split-failure rollback never returns: the work item starts in block 0 (unsigned index >= start) or a block it merges back is host-mapped or pinned',
};

export const K10_REASON = 'the split-failure rollback loops for ever: the work item starts in block 0 (K10)';

export function convertModule(): object {
  const real = jest.requireActual('../../src/interpreter/convert') as typeof import('../../src/interpreter/convert');
  const { hang } = jest.requireActual('../../src/interpreter/simulator') as typeof import('../../src/interpreter/simulator');
  return {
    ...real,
    convert: (sim: Simulator, offset: number, length: number, to: 'shared' | 'private'): StepOutcome => {
      const outcome = real.convert(sim, offset, length, to);
      const unit = sim.convertFailure;
      const blockPages = sim.file?.blockPages ?? 1;
      if (sim.config.variant === 'rfc-v2' && outcome.kind === 'error' && outcome.error === 'ENOMEM' && unit && Math.floor(unit.from / blockPages) === 0) return hang(K10_REASON);
      return outcome;
    },
  };
}

export function knownDefectsModule(): object {
  const real = jest.requireActual('../../machines/known-defects') as typeof import('../../machines/known-defects');
  const table = [...real.KNOWN_DEFECTS, K10];
  return {
    ...real,
    KNOWN_DEFECTS: table,
    defectInvariants: (variant: KnownDefect['variants'][number], injects: boolean) => {
      const out = new Set<KnownDefect['invariant']>();
      for (const d of table) if (d.variants.includes(variant) && (injects || !d.inject)) out.add(d.invariant);
      return out;
    },
  };
}
