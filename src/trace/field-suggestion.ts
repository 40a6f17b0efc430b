/**
 * "Did you mean" for a trace field that is not in the contract:
 * `$.steps[3].lenght: unknown field; did you mean "length"?`. The fields
 * allowed at that spot are read from the zod schema itself (walking objects,
 * arrays, optionals and unions, choosing a union's member by its
 * discriminator or by the keys the data has), so new ops and fields are
 * suggested as soon as the schema has them.
 */
import type { z } from 'zod';
import { jsonPath } from './schema';

type Issue = z.core.$ZodIssue;
type AnySchema = { def: Record<string, unknown> & { type: string } };

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional', 'success']);

function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (let guard = 0; guard < 20; guard++) {
    const def = s.def;
    if (WRAPPERS.has(def.type)) s = def['innerType'] as AnySchema;
    else if (def.type === 'pipe') s = def['in'] as AnySchema;
    else if (def.type === 'lazy') s = (def['getter'] as () => AnySchema)();
    else return s;
  }
  return s;
}

function shapeOf(schema: AnySchema): Record<string, AnySchema> | undefined {
  const s = unwrap(schema);
  return s.def.type === 'object' ? (s.def['shape'] as Record<string, AnySchema>) : undefined;
}

function literalValues(schema: AnySchema | undefined): unknown[] {
  if (!schema) return [];
  const s = unwrap(schema);
  return s.def.type === 'literal' ? (s.def['values'] as unknown[]) : s.def.type === 'enum' ? Object.values(s.def['entries'] as object) : [];
}

/** The union member the data was meant for: the discriminator's match, else the most keys in common. */
function chooseMember(schema: AnySchema, data: unknown): AnySchema | undefined {
  const options = (schema.def['options'] as AnySchema[]).filter((o) => shapeOf(o));
  if (options.length === 0 || typeof data !== 'object' || data === null) return undefined;
  const record = data as Record<string, unknown>;
  const discriminator = schema.def['discriminator'] as string | undefined;
  if (discriminator) {
    const hit = options.find((o) => literalValues(shapeOf(o)![discriminator]).includes(record[discriminator]));
    if (hit) return hit;
  }
  const keys = Object.keys(record);
  const score = (o: AnySchema) => keys.filter((k) => k in shapeOf(o)!).length;
  return options.reduce((best, o) => (score(o) > score(best) ? o : best));
}

/** The object schema that describes `data` at `path`, if the schema says one does. */
export function objectSchemaAt(root: AnySchema, data: unknown, path: ReadonlyArray<PropertyKey>): AnySchema | undefined {
  let schema: AnySchema | undefined = root;
  let value: unknown = data;
  for (let i = 0; ; i++) {
    if (!schema) return undefined;
    let s = unwrap(schema);
    if (s.def.type === 'union') s = chooseMember(s, value) ?? s;
    if (i === path.length) return shapeOf(s) ? s : undefined;
    const key = path[i]!;
    if (s.def.type === 'array') schema = s.def['element'] as AnySchema;
    else if (s.def.type === 'object') schema = (s.def['shape'] as Record<string, AnySchema>)[String(key)];
    else return undefined;
    value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  }
}

/** Optimal string alignment distance: a swapped pair of letters (lenght) counts as one edit. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest allowed name, if close enough to be a slip of the keyboard (or of case). */
export function closest(word: string, candidates: ReadonlyArray<string>): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = name.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word.toLowerCase(), name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(1, Math.floor(Math.max(word.length, best.name.length) / 3)) ? best.name : undefined;
}

/**
 * The issue to report first: the first one, unless an unknown field sits on
 * the same object or above it (a misspelt `lenght` also makes `length` look
 * missing; the misspelling is the news).
 */
export function firstIssue(issues: ReadonlyArray<Issue>): Issue {
  const first = issues[0]!;
  const prefix = (p: ReadonlyArray<PropertyKey>) => p.length <= first.path.length && p.every((k, i) => k === first.path[i]);
  return issues.find((i) => i.code === 'unrecognized_keys' && prefix(i.path)) ?? first;
}

/** `[path, message]` for an unknown-field issue, with a suggestion when one is close. */
export function unknownField(root: unknown, data: unknown, issue: Issue): [string, string] | undefined {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const key = issue.keys[0]!;
  const where = jsonPath([...issue.path, key]);
  const object = objectSchemaAt(root as AnySchema, data, issue.path);
  if (!object) return [where, 'unknown field'];
  const present = new Set(Object.keys(((issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown>)?.[k], data)) ?? {}) as object));
  const allowed = Object.keys(shapeOf(object)!).filter((k) => !present.has(k));
  const guess = closest(key, allowed);
  if (guess) return [where, `unknown field; did you mean "${guess}"?`];
  return [where, `unknown field (allowed here: ${Object.keys(shapeOf(object)!).join(', ')})`];
}
