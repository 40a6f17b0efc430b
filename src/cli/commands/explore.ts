/**
 * `gmem explore`: exhaustive small-scope search of the simulator under each
 * (variant, VM type, policy) setting: distinct states, transitions, depth,
 * states per second, and per invariant `holds in scope` or `BROKEN` with its
 * shortest counterexample as gmem-trace/1 and ITF files. `--summary` is the
 * verdict table `npm start` prints. Exit 1 when something breaks that the
 * setting is not known to break (or the simulator throws), and when a known
 * defect is not reached: a CI gate must be able to demand every one, while a
 * person trying a small scope says --allow-missing.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../command';
import type { Policy, Variant, VmType } from '../../../machines/policy';
import { DEFAULT_POLICY, POLICY_NOTES, VARIANTS, VM_TYPES } from '../../../machines/policy';
import { profileOf } from '../../../machines/variant';
import type { Setting } from '../../explore/expand';
import type { Scope } from '../../explore/operations';
import type { SettingReport } from '../../explore/run';
import { mergeShards, readShard, report, runSettings, ShardError, writeShard } from '../../explore/run';
import { DEFAULT_EXACT_STATES } from '../../explore/search';
import { DEFAULT_FRONTIER_IN_MEMORY } from '../../explore/frontier';
import type { ScopeName } from '../../explore/settings';
import { NAMED_SCOPES, POLICY_KEYS } from '../../explore/settings';
import { InputError } from '../../input-error';
import { parseShard } from '../../walk/select';
import { scopeFlags } from '../../explore/scope-flags';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { renderReports, renderSummary, settingLines, toJson } from '../../present/report/explore-report';
import { progressBar } from '../../present/report/progress-bar';

export const DEFAULT_EXPLORE_OUT = 'test-output/explore';

const SCOPE_FLAGS = { blocks: [1, 8], pages: [1, 16], processes: [1, 8], pins: [0, 8], values: [1, 15], depth: [1, 40], pool: [0, 16] } as const;

export const exploreCommand: Command = {
  name: 'explore',
  summary: 'search every reachable state of each kernel tree and policy: verdicts, counterexamples',
  usage: [
    'Usage: gmem explore [--scope NAME] [--blocks N] [--pages N] [--processes N] [--pins N] [--values N]',
    '                    [--depth N] [--pool N] [--symmetry on|off] [--variant NAME] [--vm-type NAME]',
    '                    [--policy KEY=VALUE]... [--out DIR] [--json | --summary] [--workers N]',
    '                    [--shard i/n] [--exact-states N] [--frontier-states N] [--allow-missing]',
    '       gmem explore --merge SHARD.json...',
    '',
    'Breadth-first search from the empty machine over every operation of the trace contract with every',
    'argument in scope (pageSize 16, hugePageSize 16 x pages), states deduplicated by a canonical',
    'encoding, INV-1..14 checked on every transition (a step that never returns ends its path). Per',
    'setting: distinct states, transitions, depth, states per second, and per invariant `holds in scope`',
    'or BROKEN with its shortest counterexample',
    'as DIR/<setting>/<INV-n>[.Kn].trace.json (gmem-trace/1; `gmem replay` reproduces it) and .itf.json.',
    'Without --variant, --vm-type or --policy: every variant under every VM type with the kernel\'s',
    'policies, and each policy alternative on rfc-v2 sw-protected, at the start scope (VERDICTS.md);',
    '--scope cross-block: two blocks (where rfc-v2\'s K1 lives), every kernel tree on sw-protected and',
    'tdx VMs. The scope flags change the named scope.',
    'Exit status: 0 every break is a known defect or the policy\'s documented exposure',
    'and every known defect is found (with --allow-missing: found or not); 1 otherwise; 2 bad input.',
    'A known defect not reached usually means the scope is too small to reach it, not that the',
    'model is wrong; the message says so.',
  ].join('\n'),
  options: {
    scope: { type: 'string' },
    symmetry: { type: 'string' },
    ...Object.fromEntries(Object.keys(SCOPE_FLAGS).map((k) => [k, { type: 'string' as const }])),
    variant: { type: 'string' },
    'vm-type': { type: 'string' },
    policy: { type: 'string', multiple: true },
    out: { type: 'string' },
    json: { type: 'boolean' },
    summary: { type: 'boolean' },
    workers: { type: 'string' },
    shard: { type: 'string' },
    merge: { type: 'boolean' },
    'exact-states': { type: 'string' },
    'frontier-states': { type: 'string' },
    'allow-missing': { type: 'boolean' },
  },
  optionHelp: {
    scope: `a named scope and its settings: ${Object.entries(NAMED_SCOPES).map(([name, n]) => `${name} (${scopeFlags(n.scope)})`).join('; ')} (default: start)`,
    symmetry: "on: states that differ only by a renaming of processes or written values are one (docs/EXPLORER.md, \"Symmetry\"); off: every state (default: the named scope's)",
    blocks: `huge-page blocks in the file, ${SCOPE_FLAGS.blocks.join('-')} (default: the setting's scope)`,
    pages: `pages per block, a power of two ${SCOPE_FLAGS.pages.join('-')} (default: the setting's scope)`,
    processes: `processes that map the file, ${SCOPE_FLAGS.processes.join('-')} (default: the setting's scope)`,
    pins: `pins held at once, at most, ${SCOPE_FLAGS.pins.join('-')} (default: the setting's scope)`,
    values: `distinct nonzero bytes a write may fill a page with, ${SCOPE_FLAGS.values.join('-')} (default: the setting's scope)`,
    depth: `steps from the empty machine, the create included, ${SCOPE_FLAGS.depth.join('-')} (default: the setting's scope)`,
    pool: `huge pages in the pool before create, ${SCOPE_FLAGS.pool.join('-')} (default: what create reserves)`,
    variant: `explore only this kernel tree: ${VARIANTS.join(', ')}`,
    'vm-type': `explore only this VM type: ${VM_TYPES.join(', ')}`,
    policy: `set a policy (KEY=VALUE; repeatable): ${POLICY_KEYS.map((k) => `${k}=${POLICY_NOTES[k].values.join('|')}`).join(', ')}`,
    out: `write counterexamples (and --shard files) under DIR (default ${DEFAULT_EXPLORE_OUT})`,
    json: 'print the results as JSON (statesPerSecond, per invariant verdict, length, files)',
    summary: 'print only the verdict table (what npm start shows)',
    workers: 'worker threads that expand states (default: the cores this machine has)',
    shard: 'explore part i of n (1 <= i <= n, as the walk counts) and write DIR/shard-i-of-n.json, for a CI matrix',
    merge: 'merge shard files given as arguments: states unioned, shortest counterexamples kept',
    'exact-states': `states each search keeps by their exact encoding; past that, as 53-bit fingerprints, the odds of a collision printed (default ${DEFAULT_EXACT_STATES.toLocaleString('en-US')})`,
    'frontier-states': `states of a level held in memory; past that, the level goes to a temporary file, read back in order (default ${DEFAULT_FRONTIER_IN_MEMORY.toLocaleString('en-US')})`,
    'allow-missing': 'exit 0 even when a known defect is not reached in scope (a small scope, tried by hand)',
  },
  examples: [
    'gmem explore --summary',
    'gmem explore --variant tdx-huge-v3 --vm-type tdx --depth 6 --json',
    'gmem explore --scope cross-block --variant rfc-v2 --summary',
    'gmem explore --variant rfc-v2 --vm-type sw-protected --policy split=lazy --out /tmp/cex',
    'gmem explore --shard 1/2 --out shards && gmem explore --shard 2/2 --out shards',
    'gmem explore --merge shards/shard-1-of-2.json shards/shard-2-of-2.json',
  ],
  optionValues: { scope: 'NAME', symmetry: 'on|off', 'exact-states': 'N', 'frontier-states': 'N', out: 'DIR', variant: 'NAME', 'vm-type': 'NAME', policy: 'KEY=VALUE' },
  allowPositionals: true,
  async run(values, positionals) {
    const out = (values['out'] as string | undefined) ?? DEFAULT_EXPLORE_OUT;
    const onProgress = values['json'] ? undefined : progressBar(process.stderr);
    const onSettingDone = values['json'] ? undefined : settingLines(process.stderr);
    let reports: SettingReport[];
    const start = Date.now();
    if (values['merge']) {
      if (positionals.length === 0) throw new InputError('explore: --merge needs the shard files (DIR/shard-i-of-n.json ...)');
      try {
        reports = mergeShards(positionals.map(readShard)).map((r) => report(r, out));
      } catch (err) {
        if (err instanceof ShardError) throw new InputError(`explore: --merge: ${err.message}`);
        throw err;
      }
    } else {
      if (positionals.length) throw new InputError(`explore: unexpected argument '${positionals[0]}' (shard files go with --merge)`);
      const named = NAMED_SCOPES[parseScopeName(values['scope'] as string | undefined)];
      const scope = parseScope(values, named.scope);
      const settings = parseSettings(values, named.settings);
      const shard = values['shard'] === undefined ? undefined : parseShard(values['shard'] as string, 'explore: --shard');
      const workers = values['workers'] === undefined ? availableParallelism() : positiveInt('workers', values['workers'] as string, 1, 64);
      const exactStates = values['exact-states'] === undefined ? undefined : positiveInt('exact-states', values['exact-states'] as string, 1, 1_000_000_000);
      const frontierInMemory = values['frontier-states'] === undefined ? undefined : positiveInt('frontier-states', values['frontier-states'] as string, 1, 1_000_000_000);
      // A search stopped by a signal still removes the temporary folders of its levels (frontier.ts removes them at exit).
      const stops = ([['SIGINT', 130], ['SIGTERM', 143]] as const).map(([signal, code]) => [signal, () => process.exit(code)] as const);
      for (const [signal, stop] of stops) process.on(signal, stop);
      try {
        reports = await runSettings(settings, scope, { workers, ...(exactStates !== undefined ? { exactStates } : {}), ...(frontierInMemory !== undefined ? { frontierInMemory } : {}), ...(shard ? { shard } : { out }), ...(onProgress ? { onProgress } : {}), ...(onSettingDone ? { onSettingDone } : {}) });
      } finally {
        for (const [signal, stop] of stops) process.off(signal, stop);
      }
      if (shard) {
        const file = join(out, `shard-${shard.index}-of-${shard.count}.json`);
        mkdirSync(out, { recursive: true });
        writeShard(file, scope, shard, reports);
        process.stderr.write(`shard ${shard.index}/${shard.count} written to ${file}; merge with: gmem explore --merge ${join(out, `shard-*-of-${shard.count}.json`)}\n`);
      }
    }
    const wallMs = Date.now() - start;
    if (values['json']) process.stdout.write(`${JSON.stringify(toJson(reports, wallMs), null, 2)}\n`);
    else process.stdout.write(`${values['summary'] ? renderSummary(reports, wallMs) : renderReports(reports, wallMs)}\n`);
    const bad = reports.some((r) => r.unexpected.length > 0 || r.counterexamples.some((c) => !c.reproduced));
    // A shard searches part of the space by construction: its merge decides what was reached.
    const missing = values['shard'] === undefined ? reports.filter((r) => r.missing.length > 0) : [];
    if (missing.length && !values['allow-missing']) {
      process.stderr.write(
        `explore: ${missing.length} of ${reports.length} settings did not reach a known defect (${missing[0]!.name}: ${missing[0]!.missing.map((m) => `${m.invariant} [${m.because}]`).join(', ')}); ` +
          'the scope may be too small to reach it: widen it (the default scope reaches every one), or pass --allow-missing\n',
      );
    }
    return bad || (missing.length > 0 && !values['allow-missing']) ? EXIT_FAILED : EXIT_OK;
  },
};

function positiveInt(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new InputError(`explore: --${flag} must be a whole number, got '${text}'`);
  const n = Number(text);
  if (n < min || n > max) throw new InputError(`explore: --${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function parseScopeName(text: string | undefined): ScopeName {
  if (text === undefined) return 'start';
  if (!Object.hasOwn(NAMED_SCOPES, text)) throw new InputError(`explore: --scope must be one of ${Object.keys(NAMED_SCOPES).join(', ')}, got '${text}'`);
  return text as ScopeName;
}

function parseScope(values: Record<string, unknown>, named: Scope): Scope {
  const scope: Scope = { ...named };
  for (const [flag, [min, max]] of Object.entries(SCOPE_FLAGS)) {
    const text = values[flag] as string | undefined;
    if (text !== undefined) (scope as unknown as Record<string, number>)[flag] = positiveInt(flag, text, min, max);
  }
  const symmetry = values['symmetry'] as string | undefined;
  if (symmetry !== undefined) {
    if (symmetry !== 'on' && symmetry !== 'off') throw new InputError(`explore: --symmetry must be on or off, got '${symmetry}'`);
    if (symmetry === 'on') scope.symmetry = true;
    else delete scope.symmetry;
  }
  if ((scope.pages & (scope.pages - 1)) !== 0) throw new InputError(`explore: --pages must be a power of two (hugePageSize is a power-of-two multiple of pageSize), got ${scope.pages}`);
  if (scope.blocks * scope.pages > 32) throw new InputError(`explore: a file of ${scope.blocks * scope.pages} pages is beyond what explicit-state search can finish; use at most 32 pages (blocks x pages)`);
  return scope;
}

function parseSettings(values: Record<string, unknown>, named: () => Setting[]): Setting[] {
  const variant = values['variant'] as string | undefined;
  const vmType = values['vm-type'] as string | undefined;
  if (variant !== undefined && !(VARIANTS as readonly string[]).includes(variant)) throw new InputError(`explore: --variant must be one of ${VARIANTS.join(', ')}, got '${variant}'`);
  if (vmType !== undefined && !(VM_TYPES as readonly string[]).includes(vmType)) throw new InputError(`explore: --vm-type must be one of ${VM_TYPES.join(', ')}, got '${vmType}'`);
  if (variant !== undefined && vmType !== undefined && !(profileOf(variant as Variant).vmTypes as readonly string[]).includes(vmType)) {
    throw new InputError(`explore: ${variant} runs only ${profileOf(variant as Variant).vmTypes.join(', ')} VMs, got --vm-type ${vmType}`);
  }
  const policies = (values['policy'] as string[] | undefined) ?? [];
  if (policies.length === 0) {
    return named().filter((s) => (variant === undefined || s.variant === variant) && (vmType === undefined || s.vmType === vmType));
  }
  const policy: Policy = { ...DEFAULT_POLICY };
  for (const kv of policies) {
    const m = /^([^=]+)=(.*)$/.exec(kv);
    if (!m || !(POLICY_KEYS as string[]).includes(m[1]!)) throw new InputError(`explore: --policy must be KEY=VALUE with KEY one of ${POLICY_KEYS.join(', ')}, got '${kv}'`);
    const key = m[1] as keyof Policy;
    if (!POLICY_NOTES[key].values.includes(m[2]!)) throw new InputError(`explore: --policy ${key} must be one of ${POLICY_NOTES[key].values.join(', ')}, got '${m[2]}'`);
    (policy as unknown as Record<string, string>)[key] = m[2]!;
  }
  const variants = (variant ? [variant] : VARIANTS) as Variant[];
  const vmTypes = (vmType ? [vmType] : VM_TYPES) as VmType[];
  // Only the VM types each tree runs (profile.vmTypes; mainline-6.12: sw-protected).
  return variants.flatMap((v) => vmTypes.filter((t) => profileOf(v).vmTypes.includes(t)).map((t) => ({ variant: v, vmType: t, policy })));
}
