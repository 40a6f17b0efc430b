/**
 * The CLI start-up figures (bench/cli-startup.ts) as an entry
 * of the registry: `gmem --help` through node and through npx.
 */
import type { BenchEntry } from './entry';
import { asEntryRows } from './entry';
import { cliStartupRows } from './cli-startup';

export const cliStartup: BenchEntry = {
  id: 'CLI',
  title: 'gmem --help start-up',
  run() {
    return asEntryRows('CLI', cliStartupRows());
  },
};
