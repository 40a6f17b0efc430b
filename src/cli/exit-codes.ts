/**
 * gmem's exit status, as the README and every command's help give it: 0 the
 * check passed, 1 it failed (or the command could not do its job for a
 * reason outside the input), 2 bad input, named in one line. Selftests keep
 * kselftest's own codes (4: skip).
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
