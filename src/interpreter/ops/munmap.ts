/**
 * munmap: a process unmaps a range of its mapping of the file; the `munmap`
 * row of the operation table (src/engine/operations.ts).
 */
import { evict } from '../evict';
import { blockOf } from '../file-access';
import type { StepOutcome } from '../outcome';
import { fail, OK } from '../outcome';
import type { Simulator } from '../simulator';

/**
 * munmap of a host range: removes the process's PTEs; offset 0 and length
 * >= size drops its mapping of the file, and with the fd closed and no
 * other mapping the inode is evicted within the step (TRACE-FORMAT lifetime).
 */
export function munmap(sim: Simulator, offset: number, length: number, process: number): StepOutcome {
  if (!sim.file) return { kind: 'nofile' };
  const file = sim.file;
  if (file.closed) return fail('EBADF');
  if (offset % file.pageSize !== 0 || length === 0) return fail('EINVAL');
  const mapped = file.hostMaps.get(process);
  const span = Math.min(length, Math.max(0, file.geometry.size - offset));
  if (mapped && span > 0) {
    // Only the pages the process maps have PTEs to remove: walk its mapping's runs, not the range's pages.
    const first = Math.floor(offset / file.pageSize);
    const last = Math.floor((offset + span - 1) / file.pageSize) + 1;
    for (const p of [...mapped.pages(first, last)]) {
      file.runOp(blockOf(file, p), { type: 'munmap', page: p % file.blockPages });
      mapped.delete(p);
    }
  }
  const lifetime = file.lifetime;
  if (offset === 0 && length >= file.geometry.size && lifetime.unmappedBy(process)) {
    file.store.dropHostMap(process);
    if (!lifetime.fdOpen && lifetime.mappers.size === 0 && !lifetime.released) evict(file);
  }
  return OK;
}
