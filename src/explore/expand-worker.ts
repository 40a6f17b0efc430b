/** The worker side of ExpandPool: builds each (setting, scope) model once, then expands batches. */
import { parentPort } from 'node:worker_threads';
import type { Model, Setting } from './expand';
import { buildModel, expand } from './expand';
import type { Scope } from './operations';

const models = new Map<string, Model>();
parentPort!.on('message', (msg: { id: number; setting: Setting; scope: Scope; encodings: string[] }) => {
  try {
    const key = JSON.stringify([msg.setting, msg.scope]);
    let model = models.get(key);
    if (!model) models.set(key, (model = buildModel(msg.setting, msg.scope)));
    const m = model;
    parentPort!.postMessage({ id: msg.id, expansions: msg.encodings.map((e) => expand(m, e)) });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
