/**
 * What the kernel answers when a machine refuses an event.
 *
 * A refusal never changes state: the machine emits `refused` and keeps its
 * snapshot, exactly as the kernel returns an errno (or raises a signal) and
 * leaves the file as it was. Names follow TRACE-FORMAT.md's `expect` forms.
 */
import type { AnyEventObject } from 'xstate';

export const ERRNOS = ['SIGBUS', 'EFAULT', 'EAGAIN', 'EINVAL', 'ENOMEM', 'EBADF', 'ENODEV', 'EOPNOTSUPP'] as const;
export type Errno = (typeof ERRNOS)[number];

/**
 * Not an errno: the operation never returns (INV-14; TRACE-FORMAT `"HANG"`).
 * A machine answers it where the kernel loops or spins for ever, holding its
 * locks, so nothing after it is observable.
 */
export const NEVER_RETURNS = 'HANG';
/** What a refusal answers: an errno or signal, or that the operation never returns. */
export type Answer = Errno | typeof NEVER_RETURNS;

export interface Refusal {
  errno: Answer;
  /** KVM_EXIT_MEMORY_FAULT: the guest access exits to userspace (S-ML, S-V2c). */
  exit?: 'memory-fault';
}

/** The event every machine emits when it refuses; the snapshot stays as it was. */
export interface RefusedEvent extends Refusal {
  type: 'refused';
}

/** A named arena effect a transition asks for (allocate, split, free ...). */
export interface EffectEvent {
  type: 'effect';
  effect: string;
}

export function formatRefusal(r: Refusal): string {
  return r.exit ? `${r.errno}(${r.exit})` : r.errno;
}

/** Pulls the refusals out of the action list that xstate's pure `transition()` returns. */
export function refusalsOf(actions: ReadonlyArray<{ type: string; params?: unknown }>): Refusal[] {
  const out: Refusal[] = [];
  for (const a of actions) {
    const emitted = emittedEvent(a);
    if (emitted?.type === 'refused') {
      const { errno, exit } = emitted as unknown as RefusedEvent;
      out.push(exit ? { errno, exit } : { errno });
    }
  }
  return out;
}

/** Pulls the named arena effects out of a pure `transition()` action list, in order. */
export function effectsOf(actions: ReadonlyArray<{ type: string; params?: unknown }>): string[] {
  const out: string[] = [];
  for (const a of actions) {
    const emitted = emittedEvent(a);
    if (emitted?.type === 'effect') out.push((emitted as unknown as EffectEvent).effect);
  }
  return out;
}

function emittedEvent(a: { type: string; params?: unknown }): AnyEventObject | undefined {
  if (a.type !== 'xstate.emit') return undefined;
  return (a.params as { event?: AnyEventObject } | undefined)?.event;
}
