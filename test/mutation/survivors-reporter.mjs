/**
 * A Stryker reporter that appends each surviving or uncovered mutant to
 * test-output/mutation/survivors.txt as it is found (file:line, mutator,
 * replacement), so the tests that kill them can be written while a run of
 * an hour goes on; the JSON and HTML reports come only at its end.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { commonTokens, declareFactoryPlugin, PluginKind } from '@stryker-mutator/api/plugin';

function survivorsReporter(options) {
  const file = join(process.cwd(), 'test-output', 'mutation', 'survivors.txt');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
  return {
    onMutantTested(mutant) {
      if (mutant.status !== 'Survived' && mutant.status !== 'NoCoverage') return;
      const where = `${mutant.fileName.replace(`${process.cwd()}/`, '')}:${mutant.location.start.line}`;
      appendFileSync(file, `${mutant.status}\t${where}\t${mutant.mutatorName}\t${JSON.stringify(mutant.replacement).slice(0, 160)}\n`);
    },
  };
}
survivorsReporter.inject = [commonTokens.options];

export const strykerPlugins = [declareFactoryPlugin(PluginKind.Reporter, 'survivors', survivorsReporter)];
