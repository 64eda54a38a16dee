import { Rng, type ModelSpec } from '@xbackend/core';
import { adapter } from '../src/index.js';
import type { GpuJsBackend } from '../src/gpujs-backend.js';
import type { GpuJsModel } from '../src/gpujs-model.js';
import { randomBatch, randomParameters } from '../src/test-reference.js';
const mode = process.argv[2] ?? 'cpu';
const backend = (await adapter.engines.find((e) => e.name === mode)!.create({})) as GpuJsBackend;
console.log('baseline', JSON.stringify(backend.resources()));
const spec: ModelSpec = { layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 20, outFeatures: 8 }, { kind: 'relu' }, { kind: 'linear', inFeatures: 8, outFeatures: 4 }], inputShape: [20], numClasses: 4 };
const rng = Rng.seeded(3);
const model = (await backend.compile(spec, randomParameters(spec, rng))) as GpuJsModel;
const full = randomBatch(spec, 32, rng), part = randomBatch(spec, 10, rng);
for (let e = 0; e < 4; e++) {
  for (let s = 0; s < 3; s++) await model.trainStep(full, { lr: 0.1, weightDecay: 0 });
  await model.trainStep(part, { lr: 0.1, weightDecay: 0 });
  await model.evaluate(full); await model.logits(part); await model.losses(full);
  await model.readParameters();
  console.log('epoch', e, JSON.stringify(model.resources()), model.cachedCapacities());
}
await model.dispose();
console.log('after dispose', JSON.stringify(backend.resources()));
await backend.dispose();
