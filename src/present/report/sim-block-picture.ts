/**
 * The simulator's blocks drawn as the tests draw the block machine
 * (machines/block.picture.ts: `|PS| [ss] pins 01`), for failure reports: the
 * block(s) a failing step touched, as the simulator holds them after it.
 * Blocks of more than 32 pages are drawn with runs collapsed, one notation
 * for every strip: a mark repeated n times is `mark×n`, a mark alone is
 * itself, runs are separated by a space (`|S×3 P×509|`, `pins 0 1 0×510`).
 */
import type { BlockView } from '../../../machines/block.plan';
import { drawBlock } from '../../../machines/block.picture';
import type { FileReads } from '../../engine/reads';
import { stepPages } from '../../engine/step-span';
import type { TraceStep } from '../../trace/schema';

const MAX_BLOCKS = 4;
const MAX_PAGES = 32;

/** The marks of a strip as runs: `S×3 P×509`; a mark alone is itself. */
export function runs(marks: ReadonlyArray<string | number>): string {
  const out: string[] = [];
  for (let i = 0; i < marks.length; ) {
    let j = i;
    while (j < marks.length && marks[j] === marks[i]) j++;
    out.push(j - i > 1 ? `${marks[i]}×${j - i}` : String(marks[i]));
    i = j;
  }
  return out.join(' ');
}

/** A wide block's picture with every strip as runs; the pins from the counts themselves, since a count may take two digits. */
function collapse(picture: string, view: BlockView, n: number): string {
  if (n <= MAX_PAGES) return picture;
  return picture
    .replace(/([|[])([^|\]]+)([|\]])/g, (_, open: string, body: string, close: string) => `${open}${runs([...body])}${close}`)
    .replace(/ (retired pins|pins) \d+/g, (_, what: string) => ` ${what} ${runs(what === 'pins' ? view.pins : view.retiredPins)}`);
}

/**
 * The blocks a step touches: those its byte range covers, else (close,
 * settle ...) every block. The first `max` of them, and how many there are:
 * a 64 TiB file has 2^25 blocks, and only four are drawn.
 */
export function touchedBlocks(file: FileReads, step: TraceStep, max = MAX_BLOCKS): { blocks: number[]; total: number } {
  const pages = stepPages(step, file.pageSize, file.nPages);
  let first = 0;
  let last = file.nBlocks - 1;
  if (pages) {
    first = Math.floor(pages.from / file.blockPages);
    last = Math.min(Math.floor((pages.to - 1) / file.blockPages), file.nBlocks - 1);
  }
  const total = Math.max(0, last - first + 1);
  const blocks: number[] = [];
  for (let b = first; b <= last && blocks.length < max; b++) blocks.push(b);
  return { blocks, total };
}

/** One line per touched block (at most four), or why there is nothing to draw. */
export function drawTouched(file: FileReads | undefined, step: TraceStep): string[] {
  if (!file) return ['(no file)'];
  const { blocks, total } = touchedBlocks(file, step);
  if (total === 0) return ['(beyond the end of the file)'];
  const lines = blocks.map((b) => {
    const view = file.blockView(b);
    return `block ${b}: ${collapse(drawBlock(view), view, file.blockPages)}`;
  });
  if (total > MAX_BLOCKS) lines.push(`... and ${total - MAX_BLOCKS} more blocks`);
  return lines;
}
