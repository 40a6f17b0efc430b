/**
 * A `gmem inspect --record` file read back for `--replay`: JSON lines, each
 * one inspection event as the bridge sent it (`@xstate.actor`,
 * `@xstate.event`, `@xstate.snapshot`). A line that is not such an event is
 * refused with its file and line number.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../../input-error';

export interface RecordedEvent {
  type: string;
  line: string;
  /** for @xstate.event: the event's own type. */
  eventType?: string;
}

const INSPECTION_TYPES = ['@xstate.actor', '@xstate.event', '@xstate.snapshot', '@xstate.microstep', '@xstate.action'];

export function readRecording(file: string): RecordedEvent[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`inspect: --replay ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const events: RecordedEvent[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new InputError(`inspect: --replay ${file}: line ${i + 1} is not JSON`);
    }
    const type = (parsed as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !INSPECTION_TYPES.includes(type)) {
      throw new InputError(`inspect: --replay ${file}: line ${i + 1} is not an inspection event (type ${JSON.stringify(type ?? null)}; expected one of ${INSPECTION_TYPES.join(', ')})`);
    }
    const eventType = (parsed as { event?: { type?: unknown } }).event?.type;
    events.push({ type, line, ...(typeof eventType === 'string' ? { eventType } : {}) });
  });
  if (events.length === 0) throw new InputError(`inspect: --replay ${file}: no inspection events in it`);
  return events;
}
