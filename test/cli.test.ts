/** The gmem command line: help, version, tables, and clear exit-2 messages for bad input. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { USE_CASES } from '../src/walk/usecases';
import { runCli, wideLines } from './support/run-cli';

describe('gmem CLI', () => {
  it('--help lists the commands and exits 0', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: gmem COMMAND/);
    expect(r.stdout).toMatch(/tables/);
    expect(wideLines(r.stdout)).toEqual([]);
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = runCli([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`gmem ${version}\n`);
    }
  });

  it('runs the compiled JavaScript, not tsx', () => {
    const r = runCli(['--help']);
    expect(r.stderr).toBe('');
  });

  it('no command prints the help and exits 2', () => {
    const r = runCli([]);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/Commands:/);
  });

  it('an unknown command names it and exits 2 without a stack trace', () => {
    const r = runCli(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^gmem: unknown command 'frobnicate' \(commands: walk, coverage, replay, tables, diagram, spec, inspect, view/);
  });

  it('an unknown flag names it and exits 2', () => {
    const r = runCli(['tables', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("gmem: tables: unknown option '--bogus' (options: --machine, --json, --help)\n");
  });

  it.each([
    [['walk', '--jsn'], "gmem: walk: unknown option '--jsn'; did you mean '--json'?\n"],
    [['--versio'], "gmem: unknown command '--versio'; did you mean '--version'?\n"],
    [['wlak'], "gmem: unknown command 'wlak'; did you mean 'walk'?\n"],
    [['tables', '--machine'], "gmem: tables: option '--machine' needs a value\n"],
    [['tables', '--json=yes'], "gmem: tables: option '--json' takes no value\n"],
    [['tables', 'range'], "gmem: tables: unexpected argument 'range': tables takes options only\n"],
  ])('%j: a did-you-mean where one is close, in lower case as every message, exit 2', (args, message) => {
    const r = runCli(args);
    expect(r.stderr).toBe(message);
    expect(r.status).toBe(2);
  });

  it('every help names a count N, whatever it counts', () => {
    for (const name of ['explore', 'inspect', 'verdicts', 'view']) {
      const help = runCli([name, '--help']).stdout;
      // In the usage line and the option list (the examples give numbers).
      expect(help).not.toMatch(/(\[|^ {2})--(workers|blocks|pages|processes|pins|values|depth|pool|port|delay|wait) (?!N[\] ])/m);
      expect(help).not.toMatch(/ VALUE\b(?<!KEY=VALUE)/);
    }
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
    // A cell too wide for 100 columns continues on the next line, under its column.
    expect(r.stdout).toMatch(/PUNCH\(pinned\)\s+hugetlb=true & truncateWhilePinned=eagain: EAGAIN; otherwise:\n {38}→ truncate\.pending\.shared/);
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

describe('help for every command', () => {
  // The command list as the top-level help gives it (src/cli/main.ts cannot be loaded under jest: inspect needs an ES module).
  const names = runCli(['--help']).stdout.split('Commands:\n')[1]!.split('\n\n')[0]!.split('\n').map((l) => l.trim().split(/\s+/)[0]!);

  it('there are commands', () => expect(names).toEqual(expect.arrayContaining(['walk', 'coverage', 'replay', 'tables', 'diagram', 'spec', 'inspect', 'view'])));

  it.each(names.map((n) => [n]))('%s --help lists its options, each with what it does, and an example, in 100 columns', (name) => {
    const r = runCli([name, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: gmem ${name}`));
    const options = r.stdout.split('\nOptions:\n')[1]!.split('\n\n')[0]!.split('\n');
    const flags = options.filter((l) => /^ {2}-/.test(l));
    expect(flags.length).toBeGreaterThan(1);
    for (const [i, line] of options.entries()) {
      if (!/^ {2}-/.test(line)) continue;
      // The flag, then its description on the same line or (a long flag) the next.
      const described = /^ {2}\S.*?\S {2,}\S/.test(line) || /^ {6,}\S/.test(options[i + 1] ?? '');
      expect([line, described]).toEqual([line, true]);
    }
    // Every flag the usage line names is described.
    for (const flag of r.stdout.split('\n')[0]!.match(/--[a-z-]+/g) ?? []) expect(flags.some((l) => l.includes(flag))).toBe(true);
    expect(r.stdout).toMatch(/\nExamples?:\n {2}gmem /);
    expect(wideLines(r.stdout)).toEqual([]);
  });

  it('gmem help CMD is gmem CMD --help', () => {
    for (const name of ['walk', 'replay', 'inspect']) {
      const a = runCli(['help', name]);
      expect(a.status).toBe(0);
      expect(a.stdout).toBe(runCli([name, '--help']).stdout);
    }
    expect(runCli(['help', 'nope']).status).toBe(2);
  });

  it('inspect --help lists the use-case names', () => {
    const r = runCli(['inspect', '--help']);
    for (const u of USE_CASES) expect(r.stdout).toContain(u.name);
  });

  it('options show their defaults', () => {
    expect(runCli(['walk', '--help']).stdout).toMatch(/--traces DIR\s+write failing block paths .*\(default\s+test-output\/walk-failures\)/s);
    expect(runCli(['view', '--help']).stdout).toMatch(/--port N\s+listen on 127\.0\.0\.1:N \(default 4244/);
    expect(runCli(['inspect', '--help']).stdout).toMatch(/--delay N\s+milliseconds between steps \(default 600\)/);
  });
});

describe('the fast help path', () => {
  it('dist/help-index.json, which bin/gmem.js answers --help from, is what the CLI itself says', () => {
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    const root = join(__dirname, '..');
    const live = spawnSync(process.execPath, ['-e', "process.stdout.write(JSON.stringify(require('./dist/src/cli/main.js').helpIndex()))"], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(live.stdout)).toEqual(JSON.parse(readFileSync(join(root, 'dist', 'help-index.json'), 'utf8')));
  });

  it('an unknown command with --help is still an error', () => {
    const r = runCli(['frobnicate', '--help']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^gmem: unknown command 'frobnicate'/);
  });
});
