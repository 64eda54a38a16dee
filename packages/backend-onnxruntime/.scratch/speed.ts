import { type ModelSpec, parameterShapes, Rng } from '@xbackend/core';
import { GraphBuilder } from '../src/graph.js';
import { cpuEngine } from '../src/index.js';
import { loadOrt } from '../src/ort.js';

const threads = Number(process.env.THREADS ?? 1);
async function epoch(spec: ModelSpec, n: number, steps: number) {
  const rng = Rng.seeded(1);
  const params = parameterShapes(spec.layers).map(({ name, shape }) => ({
    name,
    shape,
    data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (name.endsWith('weight') ? 0.01 * rng.normal() : 0)),
  }));
  const backend = await cpuEngine.create({ threads });
  const model = await backend.compile(spec, params);
  const batches = Array.from({ length: 8 }, () => ({
    x: Float32Array.from({ length: n * 784 }, () => rng.uniform()),
    y: Int32Array.from({ length: n }, () => rng.int(0, 9)),
    size: n,
    sampleShape: [1, 28, 28],
  }));
  for (let i = 0; i < 20; i++) await model.trainStep(batches[i % 8]!, { lr: 0.1, weightDecay: 0 });
  const times: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const t = performance.now();
    for (let i = 0; i < steps; i++) await model.trainStep(batches[i % 8]!, { lr: 0.1, weightDecay: 0 });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  await backend.dispose();
  return times;
}
const sr: ModelSpec = {
  layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 784, outFeatures: 10 }],
  inputShape: [1, 28, 28],
  numClasses: 10,
};
const mlp: ModelSpec = {
  layers: [
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 784, outFeatures: 256 },
    { kind: 'relu' },
    { kind: 'linear', inFeatures: 256, outFeatures: 10 },
  ],
  inputShape: [1, 28, 28],
  numClasses: 10,
};
const fmt = (t: number[]) => `median ${t[2]!.toFixed(1)} ms (min ${t[0]!.toFixed(1)}, max ${t[4]!.toFixed(1)})`;
console.log(`threads=${threads}`);
console.log('softmax regression, 235 steps x 256:', fmt(await epoch(sr, 256, 235)));
console.log('softmax regression, 235 steps x 1 (overhead):', fmt(await epoch(sr, 1, 235)));
console.log('MLP 784-256-10, 235 steps x 256:', fmt(await epoch(mlp, 256, 235)));
// bare run overhead
const ort = await loadOrt();
const g = new GraphBuilder('noop');
g.output(g.input('a', 'float32', [1]), 'b');
const s = await ort.InferenceSession.create(g.encode());
const a = new ort.Tensor('float32', new Float32Array(1), [1]);
for (let i = 0; i < 100; i++) await s.run({ a });
const t = performance.now();
for (let i = 0; i < 2350; i++) await s.run({ a });
console.log('bare session.run (Identity) per call us:', (((performance.now() - t) / 2350) * 1000).toFixed(1));
