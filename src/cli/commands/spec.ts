/**
 * `gmem spec [-o docs/SPEC.md] [--json]`: the reviewer's specification
 * (src/present/spec/spec-document.ts), or the model as data. docs/SPEC.md is
 * committed and a test fails when it differs from what this prints.
 */
import type { Command } from '../command';
import { checkOutputPath, writeOutputFile } from '../output-file';
import { EXIT_OK } from '../exit-codes';
import { specData } from '../../present/spec/spec-data';
import { generateSpec } from '../../present/spec/spec-document';

export const specCommand: Command = {
  name: 'spec',
  summary: 'generate the reviewer\'s specification (docs/SPEC.md) from the code',
  usage: 'Usage: gmem spec [-o FILE] [--json]',
  options: { o: { type: 'string' }, output: { type: 'string' }, json: { type: 'boolean' } },
  optionHelp: {
    o: 'write to FILE instead of standard output',
    output: 'the same as -o',
    json: 'the specification as data: machines (states, transitions, descriptions, citations, tables), invariants, variants with their profiles, policies and where they differ',
  },
  examples: ['gmem spec -o docs/SPEC.md', 'gmem spec --json > spec.json'],
  allowPositionals: false,
  run(values) {
    const out = (values['o'] ?? values['output']) as string | undefined;
    if (out) checkOutputPath(out, 'spec: -o');
    const text = values['json'] ? `${JSON.stringify(specData(), null, 2)}\n` : generateSpec();
    if (out) writeOutputFile(out, text, 'spec: -o');
    else process.stdout.write(text);
    return EXIT_OK;
  },
};
