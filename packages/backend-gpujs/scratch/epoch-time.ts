/** Scratch: time of one epoch-equivalent (235 steps, batch 256, 784→10, random data) per gpu.js mode. */
import { Rng, type ModelSpec } from '@xbackend/core';
import { adapter } from '../src/index.js';
import { randomBatch, randomParameters } from '../src/test-reference.js';

const mode = process.argv[2] ?? 'cpu';
const steps = Number(process.argv[3] ?? 235);
const hidden = Number(process.argv[4] ?? 0);
const backend = await adapter.engines.find((e) => e.name === mode)!.create({});
const layers: ModelSpec['layers'] = hidden
  ? [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 784, outFeatures: hidden }, { kind: 'relu' }, { kind: 'linear', inFeatures: hidden, outFeatures: 10 }]
  : [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 784, outFeatures: 10 }];
const spec: ModelSpec = { layers, inputShape: [1, 28, 28], numClasses: 10 };
const rng = Rng.seeded(7);
const model = await backend.compile(spec, randomParameters(spec, rng, 0.01));
const batches = Array.from({ length: 8 }, () => randomBatch(spec, 256, rng));
let t = performance.now();
await model.trainStep(batches[0]!, { lr: 0.1, weightDecay: 0 });
const first = performance.now() - t;
t = performance.now();
for (let s = 0; s < steps; s++) await model.trainStep(batches[s % batches.length]!, { lr: 0.1, weightDecay: 0 });
const per = (performance.now() - t) / steps;
t = performance.now();
for (let s = 0; s < 40; s++) await model.evaluate(batches[s % batches.length]!);
const evalPer = (performance.now() - t) / 40;
console.log(JSON.stringify({ mode, hidden, firstStepMs: +first.toFixed(0), stepMs: +per.toFixed(2), epoch235s: +((per * 235) / 1000).toFixed(2), evalBatchMs: +evalPer.toFixed(2), testPass40s: +((evalPer * 40) / 1000).toFixed(2) }));
await model.dispose();
await backend.dispose();
