import { numerics, type Batch, type ParameterTensor } from '@xbackend/core';
import { adapter } from '../src/index.js';

const mode = process.argv[2] ?? 'cpu';
const factory = adapter.engines.find((e) => e.name === mode)!;
console.log(mode, 'unavailable:', await factory.unavailableReason());
const backend = await factory.create({});
console.log(backend.details);
const K = 784, C = 10, B = 256;
let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const w = new Float32Array(C * K).map(() => (rnd() - 0.5) * 0.02);
const b = new Float32Array(C).map(() => (rnd() - 0.5) * 0.1);
const params: ParameterTensor[] = [{ name: '1.weight', shape: [C, K], data: w }, { name: '1.bias', shape: [C], data: b }];
const model = await backend.compile({ layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: K, outFeatures: C }], inputShape: [1, 28, 28], numClasses: C }, params);
const x = new Float32Array(B * K).map(() => rnd());
const y = new Int32Array(B).map(() => Math.floor(rnd() * C));
const batch: Batch = { x, y, size: B, sampleShape: [1, 28, 28] };
let t = performance.now();
const logits = await model.logits(batch);
console.log('logits ms', (performance.now() - t).toFixed(1));
// reference
const ref = new Float64Array(B * C);
for (let i = 0; i < B; i++) for (let o = 0; o < C; o++) { let s = b[o]!; for (let k = 0; k < K; k++) s += x[i * K + k]! * w[o * K + k]!; ref[i * C + o] = s; }
let maxErr = 0; for (let i = 0; i < B * C; i++) maxErr = Math.max(maxErr, Math.abs(logits[i]! - ref[i]!));
console.log('logits max abs err', maxErr);
const losses = await model.losses(batch);
const refLoss = numerics.crossEntropy(ref, y, C);
let lossErr = 0; for (let i = 0; i < B; i++) lossErr = Math.max(lossErr, Math.abs(losses[i]! - refLoss[i]!));
console.log('loss max abs err', lossErr, 'sum', numerics.sum(refLoss));
t = performance.now();
const stats = await model.trainStep(batch, { lr: 0.1, weightDecay: 0 });
console.log('step ms', (performance.now() - t).toFixed(1), stats, 'ref correct', numerics.countCorrect(ref, y, C));
t = performance.now();
const N = 20;
for (let i = 0; i < N; i++) await model.trainStep(batch, { lr: 0.1, weightDecay: 0 });
console.log('per step ms', ((performance.now() - t) / N).toFixed(2));
await model.dispose();
await backend.dispose();
