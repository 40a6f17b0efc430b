/**
 * One result of a run, the shape every reporter prints: a trace replayed or a
 * generated path walked. `suite` is the setting (variant and VM type, or the
 * walk's setting); diagnostics say why it failed, one line each.
 */
import { InputError } from '../../input-error';

export interface TestResult {
  suite: string;
  name: string;
  /** xfail: it passed by breaking what it declared it breaks (a known defect), as kselftest's expected failures. */
  status: 'pass' | 'xfail' | 'fail' | 'error';
  /** with xfail: what broke as declared (`INV-9 broken as declared: K2`). */
  expectedFailure?: string;
  /** why it failed (or could not run), one line each. */
  diagnostics: string[];
  /** what a reader should know of a result that passed (a last step that never returns, as expected), one line each. */
  notes?: string[];
  /** seconds, when measured. */
  time?: number;
  /** the file it came from, when there is one (a trace, a failure's trace). */
  file?: string;
}

export const REPORTERS = ['text', 'tap', 'junit'] as const;
export type Reporter = (typeof REPORTERS)[number];

/** `--reporter` (text by default), checked, and not together with `--json`. */
export function reporterOf(command: string, values: Record<string, unknown>): Reporter {
  const reporter = (values['reporter'] as string | undefined) ?? 'text';
  if (!REPORTERS.includes(reporter as Reporter)) throw new InputError(`${command}: --reporter must be one of ${REPORTERS.join(', ')}, got '${reporter}'`);
  if (values['json'] && reporter !== 'text') throw new InputError(`${command}: give --json or --reporter ${reporter}, not both`);
  return reporter as Reporter;
}
