/**
 * Every fast-check property in the suite draws from one seed: GMEM_SEED when
 * set (an integer), else a fresh one per run. A failing property's message
 * ends with the line that reproduces it, so a CI failure replays locally.
 * Installed for every test file by jest.config.js (setupFilesAfterEnv);
 * properties must not pass their own `seed`.
 */
import fc from 'fast-check';

/** The seed for this run; a malformed GMEM_SEED is one clear error. */
export function seedFrom(env: Record<string, string | undefined>): number {
  const raw = env['GMEM_SEED'];
  if (raw === undefined || raw === '') return (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw))) throw new Error(`GMEM_SEED must be an integer, got '${raw}'`);
  return Number(raw) | 0;
}

/** The line a failure ends with. */
export function reproduceLine(seed: number): string {
  return `Reproduce with: GMEM_SEED=${seed} npx jest ${expect.getState().testPath ?? ''}`.trimEnd();
}

export function installSeed(seed: number): void {
  fc.configureGlobal({
    seed,
    reporter: (details) => {
      const message = fc.defaultReportMessage(details);
      if (message !== undefined) throw new Error(`${message}\n\nfast-check seed ${seed}. ${reproduceLine(seed)}`);
    },
  });
}

installSeed(seedFrom(process.env));
