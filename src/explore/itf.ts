/**
 * The Informal Trace Format (ITF, https://apalache-mc.org/docs/adr/015adr-trace.html),
 * as Apalache and Quint write it: `#meta`, `vars`, and `states` each with
 * `#meta.index`. Integers are `{"#bigint": "n"}`, sets `{"#set": [...]}`,
 * sequences JSON arrays, records JSON objects; the step taken is the
 * `action` variable (Quint's mbt::actionTaken in spirit).
 */
export type ItfValue = string | boolean | { '#bigint': string } | { '#set': ItfValue[] } | ItfValue[] | { [key: string]: ItfValue };

export function toItf(value: unknown): ItfValue {
  if (typeof value === 'number') return { '#bigint': String(value) };
  if (typeof value === 'bigint') return { '#bigint': value.toString() };
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Set) return { '#set': [...value].map(toItf) };
  if (Array.isArray(value)) return value.map(toItf);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toItf(v)]));
  throw new Error(`ITF has no value for ${String(value)}`);
}

/** Vars whose values are sets (the rest are sequences, records or scalars). */
const SET_VARS = new Set(['violations', 'mappers']);

export function itfTrace(name: string, description: string, states: ReadonlyArray<Record<string, unknown>>): object {
  const vars = states.length ? Object.keys(states[0]!) : [];
  return {
    '#meta': { format: 'ITF', 'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html', source: name, description },
    vars,
    states: states.map((s, index) => ({
      '#meta': { index },
      ...Object.fromEntries(
        Object.entries(s).map(([k, v]) => [k, SET_VARS.has(k) ? toItf(new Set(v as unknown[])) : k === 'hostMapped' ? (v as number[][]).map((ps) => toItf(new Set(ps))) : toItf(v)]),
      ),
    })),
  };
}
