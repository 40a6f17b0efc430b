/**
 * The viewer's step model (src/present/view/trace-view.ts) without a
 * browser: the refusal it shows at a refused step is the one that decided
 * the outcome, with a description true for that case.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadTrace } from '../src/trace/replay';
import { stepsOf, traceSource } from '../src/present/view/viewer-sources';
import type { ViewStep } from '../src/present/view/trace-view';

const TRACES = join(__dirname, 'traces');
const stepsOfTrace = (name: string): ViewStep[] => {
  const loaded = loadTrace(join(TRACES, name));
  if (!loaded.ok) throw new Error(loaded.message);
  return stepsOf(traceSource(loaded.trace, `test/traces/${name}`).paths()[0]!);
};
const refusals = (step: ViewStep) => step.transitions.filter((t) => t.refusal).map((t) => `${t.machine}: ${t.from} ${t.label} ✗ ${t.refusal}`);

describe('the refusal the viewer shows at a refused step', () => {
  it('a host read of a private 1 GiB page on rfc-v2 is the private-page refusal, not the K6 folio refusal', () => {
    const step = stepsOfTrace('st-rfc-v2-1g-surrounding-pages.json')[27]!;
    expect(step.op).toBe('hostRead(offset=2 GiB, length=1 B)');
    expect(step.outcome).toBe('SIGBUS');
    expect(refusals(step)).toEqual(['range: unfaultable.allocated HOST_FAULT ✗ SIGBUS']);
    expect(step.transitions.map((t) => t.description).join(' ')).not.toMatch(/K6/);
  });

  it('a host read of the huge folio a failed split left in a WIP tree is K6', () => {
    const step = stepsOfTrace('k6-wip-failed-split-at-allocation-leaves-huge.json')[6]!;
    expect(refusals(step)).toEqual(['folio: file.huge SHARED_FAULT [keepsHugeOnFailedSplit] ✗ SIGBUS']);
    expect(step.transitions[0]!.description).toMatch(/K6/);
  });

  it('a host read of the huge folio rfc-v2\'s rollback merged back is K9, not K6', () => {
    const step = stepsOfTrace('k9-rfc-v2-rollback-merges-presplit-block.json')[8]!;
    expect(refusals(step)).toEqual(['folio: file.huge SHARED_FAULT ✗ SIGBUS']);
    expect(step.transitions[0]!.description).toMatch(/K9/);
    expect(step.transitions[0]!.description).not.toMatch(/K6/);
  });

  it('an operation on a closed file is that operation\'s EBADF only', () => {
    const step = stepsOfTrace('after-close-everything-is-ebadf.json').find((s) => s.op.startsWith('hostRead') && s.outcome === 'EBADF')!;
    expect(refusals(step)).toEqual(['block: inode.closed hostAccess ✗ EBADF']);
  });

  it('in every test trace, a refused step shows refusals of one machine, each with the outcome\'s errno', () => {
    for (const name of readdirSync(TRACES).filter((f) => f.endsWith('.json'))) {
      for (const step of stepsOfTrace(name)) {
        const refused = step.transitions.filter((t) => t.refusal);
        if (!refused.length) continue;
        expect({ name, index: step.index, machines: [...new Set(refused.map((t) => t.machine))].length }).toEqual({ name, index: step.index, machines: 1 });
        for (const t of refused) expect({ name, index: step.index, errno: t.refusal!.split(/[ (]/)[0] }).toEqual({ name, index: step.index, errno: step.outcome?.split(/[ (]/)[0] });
      }
    }
  }, 120_000);
});
