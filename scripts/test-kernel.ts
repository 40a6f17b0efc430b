/**
 * Runs KVM selftests in Debian's 6.12 kernel under QEMU (TCG, nested SVM):
 * the kernel's own guest_memfd tests first (the harness must pass them), then
 * the model's traces as generated selftests (src/kernel-run/traces.ts): every
 * gmem-trace/1 file under test/traces, or the FILEs and folders given. A
 * mainline-6.12 trace must PASS (the kernel is its oracle, DOMAIN 7.4); any
 * other tree's must SKIP (its uapi is missing here). --c-dir adds every .c
 * file of a folder, compiled static against the same kvm selftest library.
 * Prints each phase's time on stderr, KTAP on stdout.
 *
 * Exit: 0 all passed or skipped, 1 a test failed (or did not compile),
 * 2 bad usage or the run could not be done (one line, no stack trace).
 * docs/KERNEL-RUN.md says what it needs and what it costs.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { prepareKernel } from '../src/kernel-run/build';
import { compileStatic } from '../src/kernel-run/compile-static';
import { readDirectives } from '../src/kernel-run/directives';
import { formatKtap } from '../src/kernel-run/ktap';
import { type GuestTest, runInQemu, type TestResult } from '../src/kernel-run/qemu';
import { writeRandomTraces } from '../src/kernel-run/random-traces';
import { writeExplorerTraces } from '../src/kernel-run/explorer-traces';
import { cacheDir } from '../src/selftest/kernel-tree';
import { judge, planTraces, sourceDir, type TracePlan, TraceInputError, timeLimit, traceFiles, unrunResult, writeSources } from '../src/kernel-run/traces';

const USAGE = `usage: tsx scripts/test-kernel.ts [TRACE|DIR...] [--no-traces] [--c-dir DIR] [--timeout SECONDS] [--jobs N] [--verbose]
  (npm run test:kernel -- TRACE|DIR...)
  TRACE|DIR          gmem-trace/1 files, or folders of them (sub-folders too), to run instead of
                     test/traces: mainline-6.12 traces must pass, other trees' must SKIP
  --no-traces        run no traces (the kernel's own tests, and --c-dir)
  --random N         with the project's traces, N seeded random mainline-6.12 traces whose
                     expectations are the model's (default 200; 0: none)
  --seed S           their seed (default 1; printed)
  --no-explorer      with the project's traces, leave out the explorer's shortest path to every
                     mainline-6.12 state of its start scope (run by default)
  --c-dir DIR        also run every DIR/*.c (kvm selftests using kvm_util.h), compiled static
  --timeout SECONDS  time limit of each --c-dir test (default 60; a file's "// kernel-run: timeout=N" wins)
  --jobs N           QEMUs at once, one emulated core each (default: the host's cores)
  --verbose          progress on stderr, and the output of passing tests in the KTAP too`;

/** The project's traces, run when no TRACE|DIR is given. */
const DEFAULT_TRACES = resolve(__dirname, '..', 'test', 'traces');

/**
 * The kernel's own tests and their time limits: about 10x what they took
 * under TCG (set_memory_region_test 22-25 s, the others 0.1-4 s), as
 * kselftest's per-test `timeout` settings do.
 */
const KERNEL_TIMEOUTS: Record<string, number> = {
  'kernel/guest_memfd_test': 60,
  'kernel/set_memory_region_test': 240,
  'kernel/x86_64/private_mem_conversions_test': 120,
  'kernel/x86_64/private_mem_kvm_exits_test': 60,
};

class UsageError extends Error {}

interface Args {
  cDir?: string;
  /** trace files and folders; the default when none is given */
  traces: string[];
  noTraces: boolean;
  random: number;
  seed: number;
  explorer: boolean;
  timeout: number;
  jobs?: number;
  verbose: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { traces: [], noTraces: false, random: 200, seed: 1, explorer: true, timeout: 60, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    const positive = (v: string) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${a} wants a positive number, not '${v}'`);
      return n;
    };
    if (a === '--c-dir') args.cDir = value();
    else if (a === '--timeout') args.timeout = positive(value());
    else if (a === '--jobs') args.jobs = Math.floor(positive(value()));
    else if (a === '--verbose') args.verbose = true;
    else if (a === '--no-traces') args.noTraces = true;
    else if (a === '--no-explorer') args.explorer = false;
    else if (a === '--random' || a === '--seed') {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`${a} wants a whole number, not '${v}'`);
      if (a === '--random') args.random = n;
      else args.seed = n;
    }
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (a.startsWith('-')) throw new UsageError(`unknown argument '${a}'`);
    else args.traces.push(a);
  }
  if (args.noTraces && args.traces.length > 0) throw new UsageError('--no-traces with traces to run');
  if (args.cDir !== undefined) {
    // Checked before the build, which can take minutes.
    if (!existsSync(args.cDir) || !statSync(args.cDir).isDirectory()) throw new UsageError(`--c-dir ${args.cDir}: not a folder`);
    if (!readdirSync(args.cDir).some((f) => f.endsWith('.c'))) throw new UsageError(`--c-dir ${args.cDir}: no .c files there`);
  }
  return args;
}

function phase(name: string, seconds: number, note = ''): void {
  process.stderr.write(`[phase] ${name} ${seconds.toFixed(1)} s${note ? ` (${note})` : ''}\n`);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const log = args.verbose ? (l: string) => process.stderr.write(`test-kernel: ${l}\n`) : () => {};
  const started = Date.now();

  // The traces are read and generated before the build, which can take minutes: bad input fails at once.
  let plans: TracePlan[] = [];
  if (!args.noTraces) {
    const t = Date.now();
    try {
      const own = args.traces.length === 0;
      // The project's own set also holds seeded random traces, kept in the cache so an unchanged seed recompiles nothing.
      const random = own && args.random > 0 ? writeRandomTraces(join(cacheDir(), 'random', `seed-${args.seed}-n-${args.random}`), args.random, args.seed) : [];
      if (random.length) process.stderr.write(`[random] ${random.length} mainline-6.12 traces, seed ${args.seed} (--seed S to change)\n`);
      // And the explorer's shortest path to every state it reaches for mainline-6.12, rewritten each run (compiled again only when they change).
      const explored = own && args.explorer ? await writeExplorerTraces(join(cacheDir(), 'explorer')) : undefined;
      if (explored) {
        const left = [...explored.leftOut].map(([why, n]) => `${n} ${why}`).join(', ');
        process.stderr.write(`[explorer] ${explored.files.length} paths reach the ${explored.states} mainline-6.12 states of the start scope (an armed split failure aside)${left ? `; left out: ${left}` : ''}\n`);
      }
      plans = planTraces([...traceFiles(own ? [DEFAULT_TRACES] : args.traces), ...random, ...(explored?.files ?? [])]);
    } catch (err) {
      if (err instanceof TraceInputError) throw new UsageError(err.message);
      throw err;
    }
    const here = plans.filter((p) => p.expect === 'pass').length;
    phase('generate', (Date.now() - t) / 1000, `${plans.length} traces: ${here} mainline-6.12, ${plans.length - here} other trees (expected SKIP), ${plans.filter((p) => p.refusal).length} not generated`);
  }

  const kernel = prepareKernel({ log, onPhase: (name, seconds, cached) => phase(name, seconds, cached ? 'cached' : '') });
  const tests: GuestTest[] = kernel.kernelTests.map((t) => ({ ...t, timeoutSeconds: KERNEL_TIMEOUTS[t.name] ?? 120 }));
  // Every .c file in name order, with its compile failure when it has no binary to run.
  const extra: { name: string; unbuilt?: TestResult }[] = [];

  if (args.cDir !== undefined) {
    const t = Date.now();
    const compiled = compileStatic(kernel, args.cDir);
    phase('compile', (Date.now() - t) / 1000, `${compiled.length} files`);
    for (const c of compiled) {
      if (!c.ok) {
        extra.push({ name: c.name, unbuilt: { name: c.name, status: 'fail', rc: null, output: c.error, seconds: 0, kernelLog: [], note: 'did not compile' } });
        continue;
      }
      extra.push({ name: c.name });
      const d = readDirectives(c.source);
      tests.push({ name: c.name, binary: c.binary!, timeoutSeconds: d.timeoutSeconds ?? args.timeout, expectTimeout: d.expectTimeout });
    }
  }

  // The traces' selftests: generated into one folder per set of traces under the cache, compiled as --c-dir files are.
  const traceRun: { plan: TracePlan; unbuilt?: TestResult; index?: number }[] = [];
  const generated = plans.filter((p) => p.fileName);
  if (generated.length > 0) {
    const t = Date.now();
    const dir = sourceDir(kernel.root, plans);
    writeSources(dir, plans);
    const compiled = new Map(compileStatic(kernel, dir).map((c) => [c.name, c]));
    phase('compile-traces', (Date.now() - t) / 1000, `${generated.length} files`);
    for (const plan of plans) {
      const c = plan.fileName ? compiled.get(plan.fileName) : undefined;
      if (!c || !c.ok) {
        traceRun.push({ plan, unbuilt: unrunResult(plan, c?.error) });
        continue;
      }
      traceRun.push({ plan, index: tests.length });
      tests.push({ name: plan.label, binary: c.binary!, timeoutSeconds: timeLimit(plan) });
    }
  } else for (const plan of plans) traceRun.push({ plan, unbuilt: unrunResult(plan) });

  const { results, stats } = await runInQemu(kernel, tests, { jobs: args.jobs, log, logDir: join(kernel.root, 'logs', 'qemu') });
  phase('initramfs', stats.packSeconds, `${stats.boots} boot${stats.boots > 1 ? 's' : ''}, largest ${(stats.maxUnpackedBytes / 1048576).toFixed(0)} MB -> ${(stats.maxInitrdBytes / 1048576).toFixed(0)} MB`);
  phase('qemu', stats.wallSeconds, `${tests.length} tests`);
  phase('total', (Date.now() - started) / 1000);

  const byName = new Map(results.map((r) => [r.name, r]));
  const all = [
    ...results.filter((r) => r.name.startsWith('kernel/')),
    ...extra.map((e) => e.unbuilt ?? byName.get(e.name)!),
    ...traceRun.map((r) => r.unbuilt ?? judge(r.plan, results[r.index!]!)),
  ];
  process.stdout.write(`# kernel ${kernel.release} (Debian ${kernel.version}), kvm.ko rebuilt with KVM_SW_PROTECTED_VM; QEMU TCG -cpu EPYC,+svm\n`);
  process.stdout.write(formatKtap(all, { verbose: args.verbose }));
  const harness = results.filter((r) => r.name.startsWith('kernel/') && r.status !== 'pass');
  if (harness.length > 0) process.stderr.write(`test-kernel: the kernel's own tests did not all pass (${harness.map((r) => `${basename(r.name)}: ${r.status}`).join(', ')}): the harness is not sound here\n`);
  return all.some((r) => r.status === 'fail' || r.status === 'timeout') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`test-kernel: ${err instanceof UsageError ? `${msg}\n${USAGE}` : msg.split('\n')[0]}\n`);
    process.exit(2);
  },
);
