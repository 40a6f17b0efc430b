/**
 * A gmem-trace/1 file as block operations, for `gmem inspect --trace`: the
 * trace's file must be one HugeTLB block of at most 8 pages (the inspector
 * draws every page as a region). Each step becomes the block operations of
 * the pages it touches; check steps are skipped.
 */
import type { BlockOp } from '../../../machines/block.plan';
import type { Shareability } from '../../../machines/policy';
import type { Trace } from '../../trace/schema';
import { InputError } from '../../input-error';
import type { InspectSource } from './inspect-replay';
import { configOf } from '../../trace/replay';

export const MAX_INSPECT_PAGES = 8;

export function sourceFromTrace(trace: Trace, file: string): InspectSource {
  const config = configOf(trace);
  const create = trace.steps.find((s) => s.op === 'create');
  const bad = (why: string) => new InputError(`inspect: ${file}: ${why}`);
  if (!create || create.op !== 'create') throw bad('the trace creates no file');
  const pages = config.hugePageSize / config.pageSize;
  if (!create.flags.includes('hugetlb') || create.size !== config.hugePageSize) throw bad('inspect replays traces whose file is exactly one HugeTLB block');
  if (pages > MAX_INSPECT_PAGES) throw bad(`the block has ${pages} pages; inspect draws at most ${MAX_INSPECT_PAGES} (use a small pageSize)`);
  const pageOf = (offset: number) => Math.floor(offset / config.pageSize);
  const span = (offset: number, length: number) => {
    const out: number[] = [];
    for (let p = pageOf(offset); p <= pageOf(offset + Math.max(1, length) - 1) && p < pages; p++) out.push(p);
    return out;
  };
  const shareability: Shareability[] = Array(pages).fill(create.flags.includes('init-shared') ? 'shared' : 'private');
  const ops: BlockOp[] = [];
  trace.steps.forEach((step, i) => {
    switch (step.op) {
      case 'create':
      case 'check':
        return;
      case 'hostRead':
      case 'hostWrite':
        for (const page of span(step.offset, 'length' in step && step.length !== undefined ? step.length : (step as { data?: string }).data!.length / 2)) ops.push({ type: 'hostAccess', page });
        return;
      case 'guestRead':
      case 'guestWrite':
        for (const page of span(step.offset, 'length' in step && step.length !== undefined ? step.length : (step as { data?: string }).data!.length / 2)) {
          ops.push({ type: 'guestAccess', page, access: step.access ?? shareability[page]! });
        }
        return;
      case 'convert': {
        const touched = span(step.offset, step.length);
        if (touched.length) ops.push({ type: 'convert', page: touched[0]!, count: touched.length, to: step.to });
        touched.forEach((p) => (shareability[p] = step.to));
        return;
      }
      case 'fallocate':
        ops.push({ type: 'fallocate' });
        return;
      case 'punchHole':
        if (step.offset !== 0 || step.length < config.hugePageSize) throw bad(`step ${i}: inspect replays whole-block punches only`);
        ops.push({ type: 'punchHole' });
        return;
      case 'pin':
      case 'unpin':
        ops.push({ type: step.op, page: pageOf(step.offset) });
        return;
      case 'munmap':
        for (const page of span(step.offset, step.length)) ops.push({ type: 'munmap', page });
        return;
      case 'close':
      case 'settle':
        ops.push({ type: step.op });
        return;
      case 'inject':
        ops.push({ type: 'injectSplitFailure' });
        return;
    }
  });
  return {
    title: `trace ${trace.name}`,
    setting: {
      name: trace.name,
      variant: config.variant,
      vmType: config.vmType,
      input: { initial: create.flags.includes('init-shared') ? 'shared' : 'private', policy: config.policy },
      pages,
    },
    ops,
  };
}
