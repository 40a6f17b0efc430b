/**
 * Every selftest `gmem selftest` writes for the project's traces (any
 * gmem-trace/1 file under test/) and the explorer's counterexamples
 * (those docs/VERDICTS.md draws; more folders through GMEM_SELFTEST_TRACES, ':'-separated)
 * compiles with the kvm selftests' own CFLAGS plus -Werror and links against
 * the selftest library built from a real kernel tree: GMEM_KERNEL_TREE, else
 * Debian's linux-source-6.12, obtained and built once (src/selftest/kernel-tree.ts;
 * `npm run kernel-tree` does the same ahead of time). Nothing is mocked.
 * The runtime's C files (src/selftest/c/) compile on their own too, after
 * what a generated file of each variant has before them, so an error in
 * them is the compiler's message naming the file and line.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Variant } from '../machines/variant';
import { VARIANTS } from '../machines/variant';
import { runtimePrologue } from '../src/selftest/emit';
import { generateSelftests } from '../src/selftest/generate';
import type { KernelTree } from '../src/selftest/kernel-tree';
import { compilePart, compileSelftests, obtainKernelTree } from '../src/selftest/kernel-tree';
import { RUNTIME_C_FILE } from '../src/selftest/runtime-source';

const TEST_DIR = __dirname;

/** gmem-trace/1 files under test/ (bad-traces excluded: those are invalid on purpose). */
function traceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'bad-traces' || entry === 'node_modules' ? [] : traceFiles(path);
    if (!entry.endsWith('.json')) return [];
    try {
      return (JSON.parse(readFileSync(path, 'utf8')) as { format?: unknown }).format === 'gmem-trace/1' ? [path] : [];
    } catch {
      return [];
    }
  });
}

/**
 * The counterexample traces docs/VERDICTS.md draws, each with the selftest
 * line it prints: the rest under docs/verdicts/ are the same defects reached
 * again (under a policy alternative, or in the cross-block scope) and make
 * the same C from the same generator.
 */
function verdictsLinked(): string[] {
  const doc = readFileSync(join(TEST_DIR, '..', 'docs', 'VERDICTS.md'), 'utf8');
  return [...new Set([...doc.matchAll(/\]\((verdicts\/[^)]+\.trace\.json)\)/g)].map((m) => join(TEST_DIR, '..', 'docs', m[1]!)))].sort();
}

describe('generated selftests against a real kernel selftest library', () => {
  let tree: KernelTree;
  const src = mkdtempSync(join(tmpdir(), 'gmem-selftest-src-'));
  const out = mkdtempSync(join(tmpdir(), 'gmem-selftest-bin-'));

  beforeAll(() => {
    tree = obtainKernelTree((line) => process.stderr.write(`kernel-tree: ${line}\n`));
  }, 20 * 60 * 1000);

  afterAll(() => {
    rmSync(src, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('every trace the kernel can be driven through compiles and links with -Wall -Werror', () => {
    const extra = (process.env['GMEM_SELFTEST_TRACES'] ?? '').split(':').filter(Boolean);
    // The project's traces, and the explorer's counterexamples that docs/VERDICTS.md lists (docs/verdicts/).
    const linked = verdictsLinked();
    // Both scopes' drawings: the start scope's findings and the cross-block scope's K1.
    expect(linked.filter((f) => f.includes('/cross-block/')).length).toBeGreaterThan(0);
    expect(linked.length).toBeGreaterThan(20);
    const files = [...traceFiles(TEST_DIR), ...linked, ...extra.flatMap(traceFiles)];
    const outcomes = generateSelftests(files, src);
    expect(outcomes.filter((o) => o.status === 'invalid')).toEqual([]);
    const written = outcomes.flatMap((o) => (o.status === 'written' ? [o.fileName] : []));
    expect(written.length).toBeGreaterThanOrEqual(10);
    const results = compileSelftests(tree, src, written, out, 2);
    const failed = results.filter((r) => !r.ok);
    expect(failed.map((r) => `${r.file}\n${r.output}`)).toEqual([]);
    expect(readdirSync(out).filter((f) => written.includes(f)).sort()).toEqual([...written].sort());
  }, 10 * 60 * 1000);

  const C_DIR = dirname(RUNTIME_C_FILE);
  const runtimeFiles = readdirSync(C_DIR).filter((f) => f.endsWith('.c')).sort();
  // 9: a 2 MiB page's order, what the variants whose create takes one are given for 2 MiB traces. The
  // harness's runner, which a generated file's main() calls, is unused where there is no main().
  const prologue = (variant: Variant) => {
    const file = join(src, `prologue-${variant}.h`);
    writeFileSync(file, `${[...runtimePrologue(variant, 9), 'static int test_harness_run(int argc, char **argv) __attribute__((unused));'].join('\n')}\n`);
    return file;
  };

  it('the runtime is C files in src/selftest/c', () => {
    expect(runtimeFiles).toContain(basename(RUNTIME_C_FILE));
  });

  it.each(VARIANTS.flatMap((v) => runtimeFiles.map((f) => [f, v] as const)))('src/selftest/c/%s compiles with -Wall -Werror after the %s prologue', (file, variant) => {
    const result = compilePart(tree, join(C_DIR, file), prologue(variant), join(out, `part-${variant}`));
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  }, 2 * 60 * 1000);

  it("that check fails with the compiler's message: a missing semicolon does not build", () => {
    const broken = join(src, 'broken', basename(RUNTIME_C_FILE));
    mkdirSync(dirname(broken), { recursive: true });
    const text = readFileSync(RUNTIME_C_FILE, 'utf8');
    expect(text).toContain('gmem_r.err = EINVAL;\t/* no pin');
    writeFileSync(broken, text.replace('gmem_r.err = EINVAL;\t/* no pin', 'gmem_r.err = EINVAL\t/* no pin'));
    const result = compilePart(tree, broken, prologue('rfc-v2'), join(out, 'part-broken'));
    expect(result.ok).toBe(false);
    // The error is at the line after the broken one (1-based: index + 2), in the file itself.
    const line = text.split('\n').findIndex((l) => l.includes('gmem_r.err = EINVAL;\t/* no pin')) + 2;
    expect(result.output).toContain(`${broken}:${line}:1: error: expected `);
  }, 2 * 60 * 1000);

  it('the check fails on a warning: an unused variable does not build', () => {
    writeFileSync(join(src, 'gmem_warns.c'), '#include "kvm_util.h"\nint main(void)\n{\n\tint unused;\n\treturn 0;\n}\n');
    const [result] = compileSelftests(tree, src, ['gmem_warns'], out, 1);
    expect(result!.ok).toBe(false);
    expect(result!.output).toMatch(/unused variable .unused. \[-Werror=unused-variable\]/);
  }, 5 * 60 * 1000);
});
