/**
 * Walks a block machine through operations written as text, checking after
 * each step the picture of the block and the refusal, if any:
 *
 *   walk({ initial: 'private' }, [
 *     ['guestAccess 0 private', '|PP| [HH]'],
 *     ['convert 1 shared',      '|PS| [ss]'],
 *     ['hostAccess 0',          '|PS| [ss]', 'SIGBUS'],
 *   ]);
 */
import { createActor } from 'xstate';
import type { BlockInput } from '../../machines/block.machine';
import { blockViewOf, createBlockMachine } from '../../machines/block.machine';
import type { BlockOp } from '../../machines/block.plan';
import { drawBlock } from '../../machines/block.picture';
import { formatRefusal } from '../../machines/outcome';

export type WalkStep = [op: string, picture: string, refusal?: string];

export function parseOp(text: string): BlockOp {
  const [type, ...args] = text.trim().split(/\s+/);
  const page = Number(args[0]);
  switch (type) {
    case 'hostAccess': case 'pin': case 'unpin': case 'munmap':
      return { type, page };
    case 'guestAccess':
      return { type, page, access: args[1] as 'shared' | 'private' };
    case 'convert':
      return { type, page, to: args[1] as 'shared' | 'private' };
    case 'fallocate': case 'punchHole': case 'close': case 'settle': case 'injectSplitFailure':
      return { type };
    default:
      throw new Error(`unknown op in walk: ${text}`);
  }
}

/** Returns the pictures seen, so a failing walk shows the whole story. */
export function walk(input: BlockInput, steps: WalkStep[], pages = 2): void {
  const actor = createActor(createBlockMachine(pages), { input }).start();
  let refused: string[] = [];
  actor.on('refused', (e) => refused.push(formatRefusal(e)));
  const story: string[] = [`start            ${drawBlock(blockViewOf(actor.getSnapshot()))}`];
  for (const [op, picture, refusal] of steps) {
    refused = [];
    actor.send(parseOp(op));
    const seen = drawBlock(blockViewOf(actor.getSnapshot()));
    story.push(`${op.padEnd(16)} ${seen}${refused.length ? `  (${refused.join(',')})` : ''}`);
    const ok = seen === picture && (refused[0] ?? undefined) === refusal;
    if (!ok) {
      throw new Error(
        `after "${op}": expected ${picture}${refusal ? ` (${refusal})` : ''}, got ${seen}${refused.length ? ` (${refused.join(',')})` : ''}\n` +
          story.join('\n'),
      );
    }
  }
  actor.stop();
}
