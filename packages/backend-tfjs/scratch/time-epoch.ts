import { Rng, type Batch, type DataIter } from '@xbackend/core';
import { adapter, trainIdiomatic } from '../src/index.js';
import * as tf from '@tensorflow/tfjs-core';

const STEPS = 235, B = 256;
const rng = Rng.seeded(1);
const batches: Batch[] = Array.from({ length: 8 }, () => ({
  x: Float32Array.from({ length: B * 784 }, () => rng.uniform()),
  y: Int32Array.from({ length: B }, () => rng.int(0, 9)),
  size: B,
  sampleShape: [1, 28, 28],
}));
const layers = [{ kind: 'flatten' as const }, { kind: 'linear' as const, inFeatures: 784, outFeatures: 10 }];
const spec = { layers, inputShape: [1, 28, 28], numClasses: 10 };
const initial = [
  { name: '1.weight', shape: [10, 784], data: Float32Array.from({ length: 7840 }, () => 0.01 * rng.normal()) },
  { name: '1.bias', shape: [10], data: new Float32Array(10) },
];
const epochBatches = Array.from({ length: STEPS }, (_, i) => batches[i % batches.length] as Batch);
const iter: DataIter = { numExamples: STEPS * B, batchSize: B, numBatches: STEPS, sampleShape: [1, 28, 28], numClasses: 10, epoch: () => epochBatches, [Symbol.iterator]: () => epochBatches[Symbol.iterator]() };
const testIter: DataIter = { ...iter, numBatches: 1, epoch: () => [batches[0] as Batch], [Symbol.iterator]: () => [batches[0] as Batch][Symbol.iterator]() };

for (const name of process.argv.slice(2)) {
  const engine = adapter.engines.find((e) => e.name === name)!;
  const backend = await engine.create({});
  const model = await backend.compile(spec, initial);
  for (let i = 0; i < 5; i++) await model.trainStep(epochBatches[i]!, { lr: 0.1, weightDecay: 0 });
  const count = tf.engine().state.numTensors;
  const times: number[] = [];
  for (let rep = 0; rep < 2; rep++) {
    const t0 = performance.now();
    for (const b of epochBatches) await model.trainStep(b, { lr: 0.1, weightDecay: 0 });
    times.push(performance.now() - t0);
  }
  console.log(`${name} adapter: ${times.map((t) => (t / 1000).toFixed(2)).join(' s, ')} s per 235 steps (${(Math.min(...times) / STEPS).toFixed(2)} ms/step), tensors flat: ${tf.engine().state.numTensors === count}`, JSON.stringify(backend.details));
  await backend.dispose();
  const idio = await trainIdiomatic({ engine: name as 'wasm', trainIter: iter, testIter, layers, initial, lr: 0.1, epochs: 2 });
  console.log(`${name} idiomatic fitDataset: ${idio.epochs.map((e) => (e.trainMs / 1000).toFixed(2)).join(' s, ')} s per epoch`);
}
