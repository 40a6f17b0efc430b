/**
 * The simulator's blocks drawn as the tests draw the block machine
 * (machines/block.picture.ts: `|PS| [ss] pins 01`), for failure reports: the
 * block(s) a failing step touched, as the simulator holds them after it.
 * Blocks of more than 32 pages are drawn with runs collapsed (`|S*3P*509|`).
 */
import { drawBlock } from '../../../machines/block.picture';
import type { FileReads } from '../../engine/reads';
import { stepPages } from '../../engine/step-span';
import type { TraceStep } from '../../trace/schema';

const MAX_BLOCKS = 4;
const MAX_PAGES = 32;

/** `|SSSSPPPP|` as `|S*4P*4|` when the block is wide. */
function collapse(picture: string, n: number): string {
  if (n <= MAX_PAGES) return picture;
  return picture.replace(/([|[])([^|\]]+)([|\]])/g, (_, open: string, body: string, close: string) => `${open}${body.replace(/(.)\1*/g, (run: string) => `${run[0]}*${run.length}`)}${close}`).replace(/ (pins|retired pins) (\d+)/g, (_, what: string, digits: string) => ` ${what} ${digits.replace(/(.)\1*/g, (run: string) => (run.length > 3 ? `${run[0]}*${run.length}` : run))}`);
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
  const lines = blocks.map((b) => `block ${b}: ${collapse(drawBlock(file.blockView(b)), file.blockPages)}`);
  if (total > MAX_BLOCKS) lines.push(`... and ${total - MAX_BLOCKS} more blocks`);
  return lines;
}
