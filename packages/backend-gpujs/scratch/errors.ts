import { Rng, type ModelSpec } from '@xbackend/core';
import { adapter } from '../src/index.js';
import { randomBatch, randomParameters, referenceLogits, referenceStep } from '../src/test-reference.js';

const mode = process.argv[2] ?? 'cpu';
const backend = await adapter.engines.find((e) => e.name === mode)!.create({});
const specs: [string, ModelSpec, number][] = [
  ['softmax', { layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 784, outFeatures: 10 }], inputShape: [1, 28, 28], numClasses: 10 }, 64],
  ['mlp', { layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 784, outFeatures: 256 }, { kind: 'relu' }, { kind: 'linear', inFeatures: 256, outFeatures: 10 }], inputShape: [1, 28, 28], numClasses: 10 }, 16],
];
for (const [name, spec, n] of specs) {
  const rng = Rng.seeded(1, name);
  const params = randomParameters(spec, rng);
  const batch = randomBatch(spec, n, rng);
  const model = await backend.compile(spec, params);
  const logits = await model.logits(batch);
  const refL = referenceLogits(spec, params, batch);
  let e = 0, scale = 0; for (let i = 0; i < refL.length; i++) { e = Math.max(e, Math.abs(logits[i]! - refL[i]!)); scale = Math.max(scale, Math.abs(refL[i]!)); }
  console.log(mode, name, 'logits maxabs', e.toExponential(2), 'scale', scale.toFixed(3));
  const ref = referenceStep(spec, params, batch, { lr: 0.1, weightDecay: 0.01 });
  const t = performance.now();
  const stats = await model.trainStep(batch, { lr: 0.1, weightDecay: 0.01 });
  console.log('step ms', (performance.now() - t).toFixed(0), 'loss', stats.lossSum, ref.lossSum, 'rel', Math.abs(stats.lossSum - ref.lossSum) / ref.lossSum, stats.correct, ref.correct);
  const got = await model.readParameters();
  for (const p of got) {
    const r = ref.params.find((q) => q.name === p.name)!;
    const before = params.find((q) => q.name === p.name)!;
    let err = 0, maxW = 0, maxDelta = 0, errRel = 0;
    for (let i = 0; i < p.data.length; i++) {
      const d = Math.abs(p.data[i]! - r.data[i]!);
      err = Math.max(err, d); maxW = Math.max(maxW, Math.abs(r.data[i]!)); maxDelta = Math.max(maxDelta, Math.abs(r.data[i]! - before.data[i]!));
      errRel = Math.max(errRel, d / (Math.abs(r.data[i]!) + 1e-30));
    }
    console.log(' ', p.name, 'maxabs err', err.toExponential(2), 'max|w|', maxW.toExponential(2), 'max|dw|', maxDelta.toExponential(2), 'err/ulp(max|w|)', (err / (maxW * 2 ** -23)).toFixed(2));
  }
  await model.dispose();
}
await backend.dispose();
