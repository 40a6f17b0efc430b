/** The worker side of ExpandPool: builds the model once, then expands batches. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Setting } from './expand';
import { buildModel, expand } from './expand';
import type { Scope } from './operations';

const { setting, scope } = workerData as { setting: Setting; scope: Scope };
const model = buildModel(setting, scope);
parentPort!.on('message', (msg: { id: number; encodings: string[] }) => {
  try {
    parentPort!.postMessage({ id: msg.id, expansions: msg.encodings.map((e) => expand(model, e)) });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
