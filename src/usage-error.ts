/**
 * Bad input from the person at the terminal: the CLI prints the message (no
 * stack trace) and exits 2.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
