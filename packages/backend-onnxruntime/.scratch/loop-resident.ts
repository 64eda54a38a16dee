import { type ModelSpec, parameterShapes, Rng } from '@xbackend/core';
import { sessionOptionsFor } from '../src/engines.js';
import { attr, GraphBuilder, type Value } from '../src/graph.js';
import { cpuEngine } from '../src/index.js';
import { appendTrainStep } from '../src/model-graphs.js';
import { loadOrt } from '../src/ort.js';
import { maxScaledError } from '../src/test-helpers.js';

const spec: ModelSpec = {
  layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 784, outFeatures: 10 }],
  inputShape: [1, 28, 28],
  numClasses: 10,
};
const shapes = parameterShapes(spec.layers);
const g = new GraphBuilder('train-epoch');
const X = g.input('x_all', 'float32', ['M', 1, 28, 28]);
const Y = g.input('y_all', 'int32', ['M']);
const P = g.input('perm', 'int64', ['B', 'N']);
const trips = g.input('trips', 'int64', []);
const params = shapes.map(({ name, shape }) => g.input(name, 'float32', shape));
const lr = g.input('lr', 'float32', []);
const wd = g.input('weight_decay', 'float32', []);
const body = new GraphBuilder('train-epoch-body');
const iter = body.input('iter', 'int64', []);
const condIn = body.input('cond_in', 'bool', []);
const carried = shapes.map(({ name, shape }) => body.input(`carried.${name}`, 'float32', shape));
const idx = body.node('Gather', [P, iter], [{ type: 'int64', shape: ['N'] }], { axis: attr.int(0) })[0] as Value;
const xb = body.node('Gather', [X, idx], [{ type: 'float32', shape: ['N', 1, 28, 28] }], { axis: attr.int(0) })[0] as Value;
const yb = body.node('Gather', [Y, idx], [{ type: 'int32', shape: ['N'] }], { axis: attr.int(0) })[0] as Value;
const step = appendTrainStep(body, spec, xb, yb, carried, lr, wd);
body.output(condIn, 'cond_out');
step.next.forEach((p, i) => body.output(p, `next.${shapes[i]!.name}`));
body.output(step.lossSum, 'scan_loss');
body.output(step.correct, 'scan_correct');
const cond = g.constant('bool', [], [1], 'cond');
const outs = g.node(
  'Loop',
  [trips, cond, ...params],
  [
    ...shapes.map(({ name, shape }) => ({ type: 'float32' as const, shape, name: `${name}.final` })),
    { type: 'float64', shape: ['B'], name: 'loss_sums' },
    { type: 'float64', shape: ['B'], name: 'corrects' },
  ],
  { body: attr.graph(body) },
);
outs.forEach((o) => g.output(o));

const ort = await loadOrt();
const session = await ort.InferenceSession.create(g.encode(), sessionOptionsFor('cpu', 1));
const rng = Rng.seeded(1);
const init = shapes.map(({ name, shape }) => ({
  name,
  shape,
  data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (name.endsWith('weight') ? 0.01 * rng.normal() : 0)),
}));
const B = 234,
  n = 256;
const batches = Array.from({ length: B }, () => ({
  x: Float32Array.from({ length: n * 784 }, () => rng.uniform()),
  y: Int32Array.from({ length: n }, () => rng.int(0, 9)),
  size: n,
  sampleShape: [1, 28, 28],
}));

const xAll = new Float32Array(B * n * 784);
const yAll = new Int32Array(B * n);
batches.forEach((b, i) => {
  xAll.set(b.x, i * n * 784);
  yAll.set(b.y, i * n);
});
const resX = new ort.Tensor('float32', xAll, [B * n, 1, 28, 28]);
const resY = new ort.Tensor('int32', yAll, [B * n]);
async function loopEpoch() {
  const t = performance.now();
  const feeds: Record<string, any> = {
    x_all: resX,
    y_all: resY,
    perm: new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: B * n }, (_, i) => BigInt(i)),
      [B, n],
    ),
    trips: new ort.Tensor('int64', BigInt64Array.from([BigInt(B)]), []),
    lr: new ort.Tensor('float32', Float32Array.from([0.1]), []),
    weight_decay: new ort.Tensor('float32', Float32Array.from([0]), []),
  };
  init.forEach((p) => (feeds[p.name] = new ort.Tensor('float32', p.data.slice(), p.shape)));
  const t2 = performance.now();
  const r = await session.run(feeds);
  console.log('  copy ms', (t2 - t).toFixed(1), 'run ms', (performance.now() - t2).toFixed(1));
  return {
    ms: performance.now() - t,
    w: r['1.weight.final']!.data as Float32Array,
    losses: r.loss_sums!.data as Float64Array,
    correct: r.corrects!.data as Float64Array,
  };
}
async function stepEpoch() {
  const backend = await cpuEngine.create({ threads: 1 });
  const model = await backend.compile(spec, init);
  const t = performance.now();
  const losses: number[] = [];
  const correct: number[] = [];
  for (const b of batches) {
    const s = await model.trainStep(b, { lr: 0.1, weightDecay: 0 });
    losses.push(s.lossSum);
    correct.push(s.correct);
  }
  const ms = performance.now() - t;
  const w = (await model.readParameters())[0]!.data;
  await backend.dispose();
  return { ms, w, losses, correct };
}
const results = { loop: [] as number[], step: [] as number[] };
let last: any;
for (let rep = 0; rep < 5; rep++) {
  const a = await loopEpoch();
  const b = await stepEpoch();
  results.loop.push(a.ms);
  results.step.push(b.ms);
  last = { a, b };
}
const med = (v: number[]) => [...v].sort((x, y) => x - y)[2]!.toFixed(1);
console.log('loop epoch ms', results.loop.map((v) => v.toFixed(0)).join(' '), 'median', med(results.loop));
console.log('step epoch ms', results.step.map((v) => v.toFixed(0)).join(' '), 'median', med(results.step));
console.log(
  'weights max scaled diff',
  maxScaledError(last.a.w, last.b.w, 1e-7, 1e-5),
  'bitwise equal',
  last.a.w.every((v: number, i: number) => v === last.b.w[i]),
);
console.log(
  'loss sums equal',
  last.a.losses.every((v: number, i: number) => v === last.b.losses[i]),
  'correct equal',
  last.a.correct.every((v: number, i: number) => v === last.b.correct[i]),
);
