/** The gmem command line: help, tables, and clear exit-2 messages for bad input. */
import { runCli } from './support/run-cli';

describe('gmem CLI', () => {
  it('--help lists the commands and exits 0', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: gmem COMMAND/);
    expect(r.stdout).toMatch(/tables/);
  });

  it('no command prints the help and exits 2', () => {
    const r = runCli([]);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/Commands:/);
  });

  it('an unknown command names it and exits 2 without a stack trace', () => {
    const r = runCli(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("gmem: unknown command 'frobnicate' (commands: walk, coverage, replay, tables, diagram, spec, inspect, view, explore, verdicts)\n");
  });

  it('an unknown flag names it and exits 2', () => {
    const r = runCli(['tables', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^gmem: tables: Unknown option '--bogus'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad --machine value names the value and exits 2', () => {
    const r = runCli(['tables', '--machine', 'lru']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("gmem: tables: --machine must be one of range, folio, block, got 'lru'\n");
  });

  it('tables prints every state and every event of the range machine', () => {
    const r = runCli(['tables', '--machine', 'range']);
    expect(r.status).toBe(0);
    for (const state of ['faultable.unallocated', 'unfaultable.allocated', 'truncate.pending.shared', 'truncate.ready.private']) {
      expect(r.stdout).toContain(`  ${state}\n`);
    }
    expect(r.stdout).toMatch(/PUNCH\(pinned\)\s+hugetlb=true & truncateWhilePinned=eagain: EAGAIN; otherwise: → truncate\.pending\.shared/);
  });

  it('tables --json gives all three machines with full rows', () => {
    const r = runCli(['tables', '--json']);
    expect(r.status).toBe(0);
    const tables = JSON.parse(r.stdout) as Array<{ machine: string; tables: Array<{ rows: Array<{ outcomes: unknown[] }> }> }>;
    expect(tables.map((t) => t.machine)).toEqual(['range', 'folio', 'block']);
    const range = tables[0]!;
    expect(range.tables[0]!.rows).toHaveLength(8);
    expect(range.tables[0]!.rows.every((row) => row.outcomes.length === 22)).toBe(true);
    const block = tables[2]!;
    expect(block.tables[0]!.rows.length).toBeGreaterThan(20);
  });
});

describe('gmem walk and coverage', () => {
  it('walk --help and coverage --help describe them', () => {
    expect(runCli(['walk', '--help']).stdout).toMatch(/^Usage: gmem walk \[--json\] \[--traces DIR\]/);
    expect(runCli(['coverage', '--help']).stdout).toMatch(/^Usage: gmem coverage \[--json\]/);
  });

  it('coverage rejects a positional argument with exit 2', () => {
    const r = runCli(['coverage', 'range']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^gmem: coverage: Unexpected argument 'range'/);
  });
});
