/**
 * The diagrams committed under docs/ (kept equal to what `gmem diagram`
 * draws by a test) as a cache for the viewer: ELK's first layout in a fresh
 * process takes seconds, which would delay the page. The committed picture
 * is served only when it still draws the machine as it is now: the same
 * states, the same refusals, and every transition's description and
 * citations in its tooltips; otherwise the viewer lays the machine out anew.
 */
import { PACKAGE_ROOT } from '../../package-root';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineModel } from '../draw/machine-model';
import { transitionTip } from '../draw/svg';

const DOCS = join(PACKAGE_ROOT, 'docs');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function committedDiagram(name: string, model: MachineModel): string | undefined {
  const file = join(DOCS, `${name}.svg`);
  if (!existsSync(file)) return undefined;
  const svg = readFileSync(file, 'utf8');
  const states = [...svg.matchAll(/<g class="state [^"]*" id="[^"]*" data-state="([^"]*)">/g)].map((m) => m[1]!).sort();
  if (JSON.stringify(states) !== JSON.stringify(model.states.map((s) => s.path).sort())) return undefined;
  const drawn = model.transitions.filter((t) => t.refusal || t.to !== undefined);
  if (!drawn.every((t) => svg.includes(esc(transitionTip(t))))) return undefined;
  const refusals = [...svg.matchAll(/<g class="refusal" /g)].length;
  if (refusals !== model.transitions.filter((t) => t.refusal).length) return undefined;
  return svg;
}
