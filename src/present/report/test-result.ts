/**
 * One result of a run, the shape every reporter prints: a trace replayed or a
 * generated path walked. `suite` is the setting (variant and VM type, or the
 * walk's setting); diagnostics say why it failed, one line each.
 */
export interface TestResult {
  suite: string;
  name: string;
  status: 'pass' | 'fail' | 'error';
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
