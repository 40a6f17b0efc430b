import { loadTrace } from './src/trace/replay';
import { runStep } from './src/trace/replay';
import { Simulator } from './src/interpreter/simulator';
import { configOf } from './src/trace/replay';
for (const f of process.argv.slice(2)) {
  const t = loadTrace(f); if (!t.ok) throw new Error(t.message);
  const sim = new Simulator(configOf(t.trace));
  for (const s of t.trace.steps) { const r = runStep(sim, s as never); console.log(s.op, JSON.stringify(r.outcome), r.violations.map(v=>v.invariant+':'+v.detail+(v.defect?'/'+v.defect:''))); }
  console.log('---');
}
