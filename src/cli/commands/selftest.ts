/**
 * `gmem selftest TRACE|DIR... -o DIR [--skip-refused]`: writes one C kselftest
 * per trace (src/selftest/emit.ts), in the style of the kernel's
 * guest_memfd_conversions_test.c, for a kernel with the trace's series.
 * `gmem selftest --makefile TRACE|DIR...` prints the Makefile lines instead.
 *
 * A trace the kernel cannot be driven through from userspace (an injected
 * fault, a policy that is not the kernel's, a model-only geometry, ...) is
 * refused, one line on stderr:
 *   refused: FILE: $.steps[3] inject: <why>
 * Refusing a valid trace is not bad input: the other traces are still written,
 * and the exit status is 1 if any was refused; with --skip-refused one line
 * counts them and the exit status is 0.
 * Exit 2: bad input (a file that is not a valid trace, no -o), nothing written.
 */
import type { Command } from '../command';
import { expandInputs, generateSelftests, makefileLines, refusalLine } from '../../selftest/generate';
import { InputError } from '../../input-error';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes';

export const selftestCommand: Command = {
  name: 'selftest',
  summary: 'write traces as C kselftests for tools/testing/selftests/kvm',
  usage: [
    'Usage: gmem selftest TRACE|DIR... (-o OUTDIR | --makefile) [--skip-refused]',
    '',
    'Writes OUTDIR/gmem_<trace name>.c for every trace (a DIR stands for its *.json files).',
    'Copy them into tools/testing/selftests/kvm/ of a kernel with the series and add the',
    'lines `--makefile` prints to Makefile.kvm.',
    '',
    'A trace the kernel cannot be driven through from userspace is refused on stderr:',
    '  refused: FILE: $.steps[N] OP: reason',
    '',
    'With --skip-refused, one line counts them instead.',
    '',
    'Exit status: 0 all written; 1 some refused (0 with --skip-refused); 2 bad input.',
  ].join('\n'),
  options: { output: { type: 'string', short: 'o' }, makefile: { type: 'boolean' }, 'skip-refused': { type: 'boolean' } },
  optionValues: { output: 'DIR' },
  optionHelp: {
    output: 'write one C file per trace into this folder (created if missing)',
    makefile: 'print the TEST_GEN_PROGS lines to add to Makefile.kvm instead of writing files',
    'skip-refused': 'exit 0 even when some traces were refused, which one line counts instead of naming each',
  },
  examples: ['gmem selftest test/traces -o out/selftests --skip-refused', 'gmem selftest test/traces --makefile'],
  allowPositionals: true,
  run(values, inputs) {
    if (inputs.length === 0) throw new InputError('selftest: name at least one trace file or folder');
    const makefile = values['makefile'] === true;
    const out = values['output'] as string | undefined;
    if (!makefile && out === undefined) throw new InputError('selftest: say where to write the tests with -o DIR (or print Makefile lines with --makefile)');
    const files = expandInputs(inputs);
    if (files.length === 0) throw new InputError(`selftest: no *.json trace files in ${inputs.join(', ')}`);
    const outcomes = generateSelftests(files, makefile ? undefined : out);
    const invalid = outcomes.filter((o) => o.status === 'invalid');
    if (invalid.length > 0) {
      for (const o of invalid) process.stderr.write(`${o.message}\n`);
      return EXIT_USAGE;
    }
    const written = outcomes.flatMap((o) => (o.status === 'written' ? [o] : []));
    const refused = outcomes.flatMap((o) => (o.status === 'refused' ? [o] : []));
    // Skipping them is a decision already taken: one line says how many, the run without the flag says why.
    if (values['skip-refused'] === true) {
      if (refused.length) process.stderr.write(`gmem: selftest: ${refused.length} of ${outcomes.length} traces refused and skipped (without --skip-refused each is named with its reason)\n`);
    } else for (const o of refused) process.stderr.write(`${refusalLine(o)}\n`);
    if (makefile) process.stdout.write(makefileLines(written.map((o) => o.fileName)));
    else for (const o of written) process.stdout.write(`wrote ${o.path}\n`);
    if (!makefile) process.stdout.write(`${written.length} written, ${refused.length} refused\n`);
    return refused.length > 0 && values['skip-refused'] !== true ? EXIT_FAILED : EXIT_OK;
  },
};
