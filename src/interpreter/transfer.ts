/**
 * The bytes an access reads or writes once its pages are faulted in: from
 * and to the arena frames of the file's folios, or, where shared memory is
 * the memslot's (S-ML612), a shared page's bytes from the memslot's memory.
 */
import type { PhysicalMemory } from '../arena/memory';
import type { GmemFile } from './gmem-file';
import type { Payload, StepOutcome } from './outcome';
import { OK } from './outcome';

/** Reads or writes the bytes of pages already faulted in; a read lands in `into` when given (as read(2) fills the caller's buffer). */
export function transfer(memory: PhysicalMemory, file: GmemFile, offset: number, length: number, write?: Payload, into?: Buffer): StepOutcome {
  const ps = file.pageSize;
  const blockBytes = ps * file.blockPages;
  // Every byte of `out` is written below (unwritten memory reads as zeroes), so it need not start zeroed.
  if (into && into.length < length) throw new RangeError(`read of ${length} bytes into a buffer of ${into.length}`);
  const out = write ? undefined : (into ?? Buffer.allocUnsafe(length));
  let done = 0;
  while (done < length) {
    // One run per block: a block's frames are consecutive (INV-13), so the arena copies it at once.
    const at = offset + done;
    const n = Math.min(blockBytes - (at % blockBytes), length - done);
    const pfn = file.pfn(Math.floor(at / ps))!;
    const within = at % ps;
    if (!write) memory.read(pfn, within, out!, done, n);
    else if ('data' in write) memory.write(pfn, within, write.data, done, n);
    else memory.fill(pfn, within, write.fill, n);
    done += n;
  }
  return out ? { kind: 'ok', data: out } : OK;
}

/**
 * A guest transfer where shared memory is the memslot's (S-ML612): each
 * page from its own store, a shared page from the memslot's memory (frame
 * = page), a private one from the file's folio, so an access that crosses a
 * private and a shared page splits between the two (DOMAIN 7.4).
 */
export function transferSplit(memory: PhysicalMemory, file: GmemFile, offset: number, length: number, write?: Payload): StepOutcome {
  const ps = file.pageSize;
  const slot = file.slotMemory!;
  const out = write ? undefined : Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const at = offset + done;
    const p = Math.floor(at / ps);
    const n = Math.min(ps - (at % ps), length - done);
    const [store, pfn] = file.shareability(p) === 'shared' ? [slot, p] : [memory, file.pfn(p)!];
    if (!write) store.read(pfn, at % ps, out!, done, n);
    else if ('data' in write) store.write(pfn, at % ps, write.data, done, n);
    else store.fill(pfn, at % ps, write.fill, n);
    done += n;
  }
  return out ? { kind: 'ok', data: out } : OK;
}
