/**
 * A scope as the `gmem explore` flags that set it, so a reader can run the
 * same search again.
 */
import type { Scope } from './operations';

export function scopeFlags(s: Scope): string {
  return `--blocks ${s.blocks} --pages ${s.pages} --processes ${s.processes} --pins ${s.pins} --values ${s.values} --depth ${s.depth}${s.pool !== undefined ? ` --pool ${s.pool}` : ''}${s.symmetry ? ' --symmetry on' : ''}`;
}
