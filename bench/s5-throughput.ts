/**
 * S5: writing and reading back whole 2 MiB blocks through the simulator
 * against plain Buffer copies of the same bytes, measured in this process
 * (throughput.ts) on the compiled simulator when dist/ is current.
 */
import type { BenchEntry } from './entry';
import { MEASURED_CODE, ms } from './entry';
import { measureThroughput } from './throughput';

export const s5: BenchEntry = {
  id: 'S5',
  title: '2 MiB block write and read-back against Buffer copies',
  run() {
    const tp = measureThroughput();
    return [
      {
        id: 'S5',
        measure: `S5 2 MiB round trips, ${tp.blocks} blocks x ${tp.passesPerRound} passes x ${tp.rounds} rounds: simulator / Buffer (median round)`,
        value: `${tp.ratio.toFixed(2)}x (rounds ${tp.ratios.map((r) => r.toFixed(2)).join(' ')}; ${ms(tp.simulatorMs)} / ${ms(tp.bufferMs)})`,
        target: '<= 1.3x',
        met: tp.ratio <= 1.3,
      },
      { id: 'S5', measure: 'S5 first pass, faulting every page in', value: `${ms(tp.firstPassMs)} for ${tp.blocks * 2} MiB`, target: '(informative)' },
      { id: 'S5', measure: 'S5 code measured', value: MEASURED_CODE, target: '(informative)' },
    ];
  },
};
