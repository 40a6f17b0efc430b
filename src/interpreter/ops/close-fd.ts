/**
 * closeFd: close(2) of the file's fd; the `closeFd` row of the operation
 * table (src/engine/operations.ts).
 */
import { evict } from '../evict';
import { fdFile, isFile } from '../file-access';
import type { StepOutcome } from '../outcome';
import { OK } from '../outcome';
import type { Simulator } from '../simulator';

/** close(fd): fd operations become EBADF; the file lives while a process maps it, else it is evicted now (S-ML kvm_gmem_release). */
export function closeFd(sim: Simulator): StepOutcome {
  const file = fdFile(sim);
  if (!isFile(file)) return file;
  file.lifetime.closeFd();
  if (file.lifetime.mappers.size === 0) evict(file);
  return OK;
}
