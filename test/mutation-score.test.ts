/**
 * The mutation score printed by `npm run mutation`: counted per file and
 * folder from a Stryker report, against the targets (>= 90% over the core,
 * >= 85% in every file), within 100 columns, and the gate's verdict.
 */
import { formatScore, meetsTargets, scoreRows } from '../scripts/mutation-score';

type Status = 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError';
const file = (statuses: Status[]) => ({
  language: 'typescript',
  source: 'x',
  mutants: statuses.map((status, i) => ({ id: String(i), mutatorName: 'BooleanLiteral', replacement: 'false', status, location: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } } })),
});
const times = (n: number, s: Status): Status[] => Array.from({ length: n }, () => s);

describe('the mutation score', () => {
  const report = {
    'machines/a.ts': file([...times(19, 'Killed'), 'Survived']),
    'machines/b.ts': file([...times(8, 'Killed'), 'Timeout', 'NoCoverage', 'CompileError']),
    'src/engine/c.ts': file([...times(9, 'Killed'), 'Survived']),
  };

  it('counts detected (killed or timed out) over valid mutants, per file, folder and core', () => {
    const rows = scoreRows(report as never);
    const by = (name: string) => rows.find((r) => r.name === name)!;
    expect(by('core')).toMatchObject({ kind: 'core', killed: 36, timeout: 1, survived: 2, noCoverage: 1, invalid: 1 });
    expect(by('core').score).toBeCloseTo((37 / 40) * 100);
    expect(by('core').covered).toBeCloseTo((37 / 39) * 100);
    expect(by('machines/a.ts')).toMatchObject({ kind: 'file', score: 95, meets: true });
    expect(by('machines/b.ts').score).toBeCloseTo(90);
    expect(by('src/engine/c.ts')).toMatchObject({ score: 90, meets: true });
    expect(by('machines/')).toMatchObject({ kind: 'folder', killed: 27 });
    expect(meetsTargets(rows)).toBe(true);
  });

  it('names every file below 85% and fails the gate, and the core below 90%', () => {
    const rows = scoreRows({ ...report, 'src/arena/d.ts': file([...times(4, 'Killed'), ...times(6, 'Survived')]) } as never);
    expect(meetsTargets(rows)).toBe(false);
    const text = formatScore(rows);
    expect(text).toMatch(/^src\/arena\/d\.ts .* 40\.0% .* >=85% BELOW$/m);
    expect(text).toContain('files: 1 below 85%: src/arena/d.ts');
    expect(text).toMatch(/^core: 82\.0% of 50 valid mutants detected \(target >= 90%\): NOT met$/m);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });
});
