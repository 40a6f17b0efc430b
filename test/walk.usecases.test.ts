/** Each use case of the catalogue, by name, under each variant that supports it: its generated paths pass. */
import { runBlockPath } from '../src/walk/block-walk';
import { USE_CASES, useCasePaths, useCaseSettings } from '../src/walk/usecases';

const cases = USE_CASES.flatMap((u) => useCaseSettings(u).map((s) => [u.name, `${s.variant} ${s.vmType}`, u, s] as const));

describe.each(cases)('use case %s (%s)', (_name, _setting, useCase, setting) => {
  it(`${useCase.deck}`, () => {
    const paths = useCasePaths(useCase, setting);
    expect(paths.length).toBeGreaterThan(0);
    const failures = paths.map((p) => runBlockPath(p)).filter((f) => f !== undefined);
    expect(failures.map((f) => `${f!.message}\n${f!.story.join('\n')}`)).toEqual([]);
  });
});
