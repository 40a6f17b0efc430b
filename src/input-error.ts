/**
 * Input the model refuses, named in one line: a malformed argument or file,
 * or a valid input too large to handle. Thrown wherever it is found (the
 * interpreter, a walk's selection, a report's reader); the command line
 * prints the message, no stack trace, and exits 2.
 */
export class InputError extends Error {
  override name = 'InputError';
}

/**
 * The command could not do its job for a reason outside the input (a port in
 * use): one line, exit 1, like a failed check.
 */
export class CommandFailure extends Error {
  override name = 'CommandFailure';
}

