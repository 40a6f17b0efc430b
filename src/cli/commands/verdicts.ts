/**
 * `gmem verdicts`: explores every verdict setting at the start scope and
 * writes docs/VERDICTS.md (src/present/verdicts/verdicts-document.ts) and
 * the counterexample traces and results under docs/verdicts/
 * (src/explore/verdicts.ts). Exit 1 when a setting breaks other than its
 * known defects and documented policy exposures.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import type { Command } from '../command';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { exploreVerdicts, VERDICTS_FILE, writeVerdictResults } from '../../explore/verdicts';
import { progressBar } from '../../present/report/progress-bar';
import { renderVerdicts, verdictTimings } from '../../present/verdicts/verdicts-document';

export const verdictsCommand: Command = {
  name: 'verdicts',
  summary: 'explore every setting and write docs/VERDICTS.md: the deck\'s questions, kernel findings',
  usage: [
    'Usage: gmem verdicts [--workers N]',
    '',
    'Explores every variant under every VM type with the kernel\'s policies and every',
    'policy alternative of the deck\'s four questions, then writes docs/VERDICTS.md and the shortest',
    'counterexample traces under docs/verdicts/. Exit status: 0 when every setting breaks exactly its',
    'known defects (DOMAIN 7.3) and documented policy exposures (DOMAIN 8), 1 otherwise.',
  ].join('\n'),
  options: { workers: { type: 'string' } },
  optionHelp: { workers: 'worker threads that expand states (default: the cores this machine has)' },
  examples: ['gmem verdicts', 'gmem verdicts --workers 1'],
  allowPositionals: false,
  async run(values) {
    const workers = values['workers'] ? Math.max(1, Number(values['workers'])) : availableParallelism();
    const onProgress = progressBar(process.stderr);
    const start = Date.now();
    const reports = await exploreVerdicts(workers, onProgress);
    const wallMs = Date.now() - start;
    writeFileSync(VERDICTS_FILE, renderVerdicts(reports));
    writeVerdictResults(reports, wallMs);
    process.stdout.write(`${verdictTimings(reports, wallMs)}\n`);
    const bad = reports.filter((r) => r.unexpected.length || r.missing.length || r.counterexamples.some((c) => !c.reproduced));
    process.stdout.write(`wrote ${relative(process.cwd(), VERDICTS_FILE)} (${reports.length} settings)${bad.length ? `; MISMATCH with the known defects: ${bad.map((r) => r.name).join('; ')}` : ''}\n`);
    return bad.length ? EXIT_FAILED : EXIT_OK;
  },
};
