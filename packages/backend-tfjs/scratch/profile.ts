import { Rng, type Batch } from '@xbackend/core';
import { adapter } from '../src/index.js';
const B = 256; const rng = Rng.seeded(1);
const batch: Batch = { x: Float32Array.from({ length: B * 784 }, () => rng.uniform()), y: Int32Array.from({ length: B }, () => rng.int(0, 9)), size: B, sampleShape: [1, 28, 28] };
const spec = { layers: [{ kind: 'flatten' as const }, { kind: 'linear' as const, inFeatures: 784, outFeatures: 10 }], inputShape: [1, 28, 28], numClasses: 10 };
const initial = [{ name: '1.weight', shape: [10, 784], data: new Float32Array(7840) }, { name: '1.bias', shape: [10], data: new Float32Array(10) }];
const engine = adapter.engines.find((e) => e.name === process.argv[2])!;
const backend = await engine.create({});
const model = await backend.compile(spec, initial);
for (const [label, f] of [['evaluate', () => model.evaluate(batch)], ['trainStep', () => model.trainStep(batch, { lr: 0.1, weightDecay: 0 })], ['logits', () => model.logits(batch)]] as const) {
  for (let i = 0; i < 10; i++) await f();
  const t0 = performance.now(); for (let i = 0; i < 100; i++) await f();
  console.log(label, ((performance.now() - t0) / 100).toFixed(2), 'ms');
}
