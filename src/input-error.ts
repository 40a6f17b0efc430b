/**
 * Bad input from the person at the terminal: the CLI prints the message (no
 * stack trace) and exits 2.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * The command could not do its job for a reason outside the input (a port in
 * use): one line, exit 1, like a failed check.
 */
export class CommandFailure extends Error {
  override name = 'CommandFailure';
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
