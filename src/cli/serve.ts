/**
 * The long-running commands (`inspect`, `view`): a port that cannot be had is
 * one line and exit 1; SIGINT and SIGTERM both close the server and end the
 * process, so a supervisor's stop (or `kill`) never leaves a listener behind.
 */
import { CommandFailure } from '../input-error';

/** The one line for a failed listen: the port in use is the usual case. */
export function listenFailure(command: string, port: number, err: unknown): CommandFailure {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') return new CommandFailure(`${command}: port ${port} on 127.0.0.1 is in use (choose another with --port)`);
  if (code === 'EACCES') return new CommandFailure(`${command}: not allowed to listen on port ${port} (choose another with --port)`);
  return new CommandFailure(`${command}: cannot listen on 127.0.0.1:${port} (${code ?? (err as Error)?.message ?? String(err)})`);
}

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Resolves with the reason when the person (Ctrl-C), a supervisor (SIGTERM)
 * or a closing terminal (SIGHUP) asks the process to stop, or when the
 * process that started it is gone: `npx gmem view` runs node under
 * `npm exec` and `sh -c`, and a SIGTERM to npm ends those two without
 * passing it on, which would leave this process listening as an orphan.
 */
export function untilStopped(pollMs = 250): Promise<string> {
  return new Promise((resolve) => {
    const parent = process.ppid;
    const stop = (reason: string) => {
      for (const [s, h] of handlers) process.off(s, h);
      clearInterval(watch);
      resolve(reason);
    };
    const handlers = STOP_SIGNALS.map((signal) => {
      const handler = () => stop(signal);
      process.on(signal, handler);
      return [signal, handler] as const;
    });
    const watch = setInterval(() => {
      if (process.ppid !== parent) stop('parent exited');
    }, pollMs);
    watch.unref();
  });
}
