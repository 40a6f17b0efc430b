/** A use case of the walk's catalogue as the operations of its first generated path. */
import { InputError } from '../../input-error';
import { USE_CASES, useCasePaths, useCaseSettings } from '../../walk/usecases';
import type { InspectSource } from './inspect-replay';

export const DEFAULT_USE_CASE = 'tdx-initial-unfaultable';

export function useCaseSource(name: string): InspectSource {
  const useCase = USE_CASES.find((u) => u.name === name);
  if (!useCase) throw new InputError(`inspect: --use-case must be one of ${USE_CASES.map((u) => u.name).join(', ')}, got '${name}'`);
  const setting = useCaseSettings(useCase)[0]!;
  const path = useCasePaths(useCase, setting)[0];
  if (!path) throw new InputError(`inspect: use case '${name}' has no path`);
  return { title: `${useCase.name}: ${useCase.deck}`, setting, ops: path.ops };
}

