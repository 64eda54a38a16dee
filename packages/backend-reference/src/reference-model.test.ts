/**
 * The reference backend in float64 is the oracle every other backend is compared with, so it is checked on its own
 * terms here: its gradients against float64 central finite differences of its own loss, for every parameter of every
 * layer kind, with and without weight decay; its forward pass and loss against their definitions.
 */
import {
  type Batch,
  type LayerSpec,
  type ModelSpec,
  numerics,
  type ParameterTensor,
  parameterShapes,
  presetLayers,
  Rng,
  sizeOf,
  xavierUniform,
} from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { adapter } from './adapter.js';
import { ReferenceModel } from './reference-model.js';

/** Every layer kind, ReLU on the input and between Linears: Flatten, Linear, ReLU, Linear, ReLU, Linear. */
const deepMlp: ModelSpec = {
  layers: [
    { kind: 'relu' },
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 12, outFeatures: 7 },
    { kind: 'relu' },
    { kind: 'linear', inFeatures: 7, outFeatures: 5 },
    { kind: 'relu' },
    { kind: 'linear', inFeatures: 5, outFeatures: 4 },
  ],
  inputShape: [1, 3, 4],
  numClasses: 4,
};

function randomParams(layers: readonly LayerSpec[], seed: number, scale = 0.5): ParameterTensor[] {
  const rng = Rng.seeded(seed);
  return parameterShapes(layers).map(({ name, shape }) => ({
    name,
    shape,
    data: Float64Array.from({ length: sizeOf(shape) }, () => scale * rng.normal()),
  }));
}

/** Pixels in [-1, 1), so that the input ReLU clamps some of them. */
function randomBatch(spec: ModelSpec, size: number, seed: number): Batch {
  const rng = Rng.seeded(seed);
  return {
    x: Float32Array.from({ length: size * sizeOf(spec.inputShape) }, () => 2 * rng.uniform() - 1),
    y: Int32Array.from({ length: size }, () => rng.int(0, spec.numClasses - 1)),
    size,
    sampleShape: spec.inputShape,
  };
}

/** The objective SGD descends: mean cross-entropy plus (weightDecay / 2)·‖w‖² over every parameter. */
async function objective(spec: ModelSpec, params: ParameterTensor[], batch: Batch, weightDecay: number): Promise<number> {
  const model = new ReferenceModel(spec, 'float64', params);
  const penalty = params.reduce((s, p) => s + Array.from(p.data).reduce((t, w) => t + w * w, 0), 0);
  return numerics.sum(await model.losses(batch)) / batch.size + (weightDecay / 2) * penalty;
}

/**
 * Largest |analytic − numeric| / max(1, |numeric|) over every parameter, where the analytic gradient is what one SGD
 * step with lr 1 subtracted, and the numeric one a central difference with step h.
 */
async function worstGradientError(spec: ModelSpec, params: ParameterTensor[], batch: Batch, weightDecay: number): Promise<number> {
  const model = new ReferenceModel(spec, 'float64', params);
  await model.trainStep(batch, { lr: 1, weightDecay });
  const after = await model.readParameters();
  const h = 1e-6;
  let worst = 0;
  for (const [k, p] of params.entries()) {
    for (let i = 0; i < p.data.length; i++) {
      const shifted = (delta: number) =>
        params.map((q, j) => (j === k ? { ...q, data: q.data.map((v, n) => (n === i ? v + delta : v)) } : q));
      const numeric =
        ((await objective(spec, shifted(h), batch, weightDecay)) - (await objective(spec, shifted(-h), batch, weightDecay))) / (2 * h);
      const analytic = (p.data[i] as number) - ((after[k] as ParameterTensor).data[i] as number);
      worst = Math.max(worst, Math.abs(analytic - numeric) / Math.max(1, Math.abs(numeric)));
    }
  }
  return worst;
}

/**
 * Central differences in float64 with h = 1e-6 are accurate to about h²·f''' plus rounding ε·f/h (1e-10 here); the
 * worst error measured over every case below is 1.4e-9 (the MLP with weight decay, whose penalty makes f larger; the
 * window layers' worst is 1.3e-9), and a wrong term (a missing 1/n, a dropped ReLU mask, a transposed weight, a
 * misplaced window) is off by 1e-2 or more.
 */
const FINITE_DIFFERENCE_TOLERANCE = 1e-8;

describe('reference backend, float64: the oracle checked against definitions', () => {
  it.each([
    [1, 5, 0],
    [2, 9, 0],
    [3, 4, 0.3],
  ])(
    'every gradient of every layer (Linear, ReLU, Flatten) and the loss equals central finite differences (seed %i, %i examples, weight decay %f)',
    async (seed, size, weightDecay) => {
      const error = await worstGradientError(
        deepMlp,
        randomParams(deepMlp.layers, seed),
        randomBatch(deepMlp, size, seed + 10),
        weightDecay,
      );
      expect(error).toBeLessThanOrEqual(FINITE_DIFFERENCE_TOLERANCE);
    },
  );

  it('computes the forward pass as its definition: logits = W₂·relu(W₁·x + b₁) + b₂, row by row', async () => {
    const spec: ModelSpec = {
      layers: [
        { kind: 'flatten' },
        { kind: 'linear', inFeatures: 3, outFeatures: 2 },
        { kind: 'relu' },
        { kind: 'linear', inFeatures: 2, outFeatures: 2 },
      ],
      inputShape: [3],
      numClasses: 2,
    };
    const w1 = [1, -2, 0.5, -1, 3, 2];
    const params: ParameterTensor[] = [
      { name: '1.weight', shape: [2, 3], data: Float64Array.from(w1) },
      { name: '1.bias', shape: [2], data: Float64Array.from([0.25, -4]) },
      { name: '3.weight', shape: [2, 2], data: Float64Array.from([2, 1, -1, 0.5]) },
      { name: '3.bias', shape: [2], data: Float64Array.from([0.125, 1]) },
    ];
    const batch: Batch = { x: Float32Array.from([1, 0.5, 0.25, 0, 1, 1]), y: Int32Array.from([0, 1]), size: 2, sampleShape: [3] };
    // Example 0: h = relu([1 − 1 + 0.125 + 0.25, −1 + 1.5 + 0.5 − 4]) = [0.375, 0]; logits = [0.75 + 0.125, −0.375 + 1].
    // Example 1: h = relu([−2 + 0.5 + 0.25, 3 + 2 − 4]) = [0, 1]; logits = [1 + 0.125, 0.5 + 1].
    const model = new ReferenceModel(spec, 'float64', params);
    expect(Array.from(await model.logits(batch))).toEqual([0.875, 0.625, 1.125, 1.5]);
  });

  it('computes the loss as −log softmax(z)[label], exactly for extreme and equal logits', async () => {
    const spec: ModelSpec = { layers: [{ kind: 'linear', inFeatures: 3, outFeatures: 3 }], inputShape: [3], numClasses: 3 };
    // Identity weights: the logits are the inputs.
    const identity = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const model = new ReferenceModel(spec, 'float64', [
      { name: '0.weight', shape: [3, 3], data: identity },
      { name: '0.bias', shape: [3], data: new Float64Array(3) },
    ]);
    const rows = [
      [0.5, -1.25, 2],
      [1e4, -1e4, 0],
      [1e4, -1e4, 0],
      [3e38, 3e38, 3e38],
      [-3e38, 3e38, 0],
    ];
    const labels = [1, 0, 2, 1, 0];
    const batch: Batch = { x: Float32Array.from(rows.flat()), y: Int32Array.from(labels), size: 5, sampleShape: [3] };
    const z = Array.from(batch.x);
    const direct = -Math.log(Math.exp(z[1] as number) / (Math.exp(z[0] as number) + Math.exp(z[1] as number) + Math.exp(z[2] as number)));
    const losses = await model.losses(batch);
    expect(losses[0]).toBeCloseTo(direct, 14);
    expect(Array.from(losses.slice(1))).toEqual([0, 1e4, Math.log(3), Math.fround(3e38) * 2]);
  });

  it('returns the loss sum and correct count of the forward pass before the update', async () => {
    const params = randomParams(deepMlp.layers, 3);
    const batch = randomBatch(deepMlp, 9, 4);
    const model = new ReferenceModel(deepMlp, 'float64', params);
    const logits = await model.logits(batch);
    const stats = await model.trainStep(batch, { lr: 0.1, weightDecay: 0 });
    expect(stats.lossSum).toBe(numerics.sum(await new ReferenceModel(deepMlp, 'float64', params).losses(batch)));
    expect(stats.correct).toBe(numerics.countCorrect(logits, batch.y, 4));
    expect(await model.evaluate(batch)).not.toEqual(stats); // the weights changed
  });
});

/** Two convolutions with stride 2, padding 1 and a 3×2 kernel: the second one's input gradient feeds the first's. */
const convNet: ModelSpec = {
  layers: [
    { kind: 'conv2d', inChannels: 2, outChannels: 5, kernelSize: [3, 2], stride: [2, 2], padding: [1, 1] },
    { kind: 'sigmoid' },
    { kind: 'conv2d', inChannels: 5, outChannels: 2, kernelSize: [3, 2], stride: [2, 2], padding: [1, 1] },
    { kind: 'sigmoid' },
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 12, outFeatures: 4 },
  ],
  inputShape: [2, 7, 6],
  numClasses: 4,
};

/** A pooling layer on odd 7×7 planes after a convolution, so its input gradient reaches the convolution's weights. */
function poolNet(kind: 'avgpool2d' | 'maxpool2d', kernel: number): ModelSpec {
  return {
    layers: [
      { kind: 'conv2d', inChannels: 2, outChannels: 2, kernelSize: [3, 3], stride: [1, 1], padding: [1, 1] },
      { kind: 'sigmoid' },
      { kind, kernelSize: [kernel, kernel], stride: [2, 2] },
      { kind: 'flatten' },
      { kind: 'linear', inFeatures: 18, outFeatures: 3 },
    ],
    inputShape: [2, 7, 7],
    numClasses: 3,
  };
}

describe('reference backend, float64: window layers and sigmoid checked against finite differences', () => {
  it.each([
    ['Conv2d (stride 2, padding 1, 3×2 kernel) and Sigmoid', convNet, 0],
    ['Conv2d with weight decay', convNet, 0.3],
    ['AvgPool2d(2) on 7×7', poolNet('avgpool2d', 2), 0],
    ['AvgPool2d(3, stride 2) on 7×7', poolNet('avgpool2d', 3), 0],
    ['MaxPool2d(2) on 7×7', poolNet('maxpool2d', 2), 0],
    ['MaxPool2d(3, stride 2) on 7×7', poolNet('maxpool2d', 3), 0],
  ])('every gradient of %s equals central finite differences (weight decay %f)', async (_, spec, weightDecay) => {
    const error = await worstGradientError(spec, randomParams(spec.layers, 11), randomBatch(spec, 3, 12), weightDecay);
    expect(error).toBeLessThanOrEqual(FINITE_DIFFERENCE_TOLERANCE);
  });

  it('runs a pooling layer before the first layer with parameters (no gradient flows into it)', async () => {
    const spec: ModelSpec = {
      layers: [
        { kind: 'maxpool2d', kernelSize: [3, 3], stride: [2, 2] },
        { kind: 'flatten' },
        { kind: 'linear', inFeatures: 18, outFeatures: 3 },
      ],
      inputShape: [2, 7, 7],
      numClasses: 3,
    };
    const error = await worstGradientError(spec, randomParams(spec.layers, 13), randomBatch(spec, 3, 14), 0);
    expect(error).toBeLessThanOrEqual(FINITE_DIFFERENCE_TOLERANCE);
  });

  it('trains through saturated sigmoids (pre-activations near ±1000) without NaN or Infinity', async () => {
    const spec: ModelSpec = {
      layers: [
        { kind: 'flatten' },
        { kind: 'linear', inFeatures: 2, outFeatures: 2 },
        { kind: 'sigmoid' },
        { kind: 'linear', inFeatures: 2, outFeatures: 2 },
      ],
      inputShape: [2],
      numClasses: 2,
    };
    const params: ParameterTensor[] = [
      { name: '1.weight', shape: [2, 2], data: Float64Array.from([1000, 0, 0, -1000]) },
      { name: '1.bias', shape: [2], data: new Float64Array(2) },
      { name: '3.weight', shape: [2, 2], data: Float64Array.from([1, 0, 0, 1]) },
      { name: '3.bias', shape: [2], data: new Float64Array(2) },
    ];
    // Hidden pre-activations [1000, −1000] and [−1000, 1000]: σ = [1, 0] and [0, 1], the logits themselves.
    const batch: Batch = { x: Float32Array.from([1, 1, -1, -1]), y: Int32Array.from([1, 0]), size: 2, sampleShape: [2] };
    const model = new ReferenceModel(spec, 'float64', params);
    expect(Array.from(await model.logits(batch))).toEqual([1, 0, 0, 1]);
    await model.trainStep(batch, { lr: 0.5, weightDecay: 0 });
    const after = await model.readParameters();
    expect(after.every((p) => p.data.every(Number.isFinite))).toBe(true);
    // Saturated: no gradient reaches the first Linear, while the second one learns.
    expect(Array.from((after[0] as ParameterTensor).data)).toEqual([1000, 0, 0, -1000]);
    expect(Array.from((after[2] as ParameterTensor).data)).not.toEqual([1, 0, 0, 1]);
  });

  it('reads Conv2d weights back in their OIHW shape', async () => {
    const params = randomParams(convNet.layers, 15);
    const read = await new ReferenceModel(convNet, 'float64', params).readParameters();
    expect(read.map((p) => [p.name, p.shape])).toEqual([
      ['0.weight', [5, 2, 3, 2]],
      ['0.bias', [5]],
      ['2.weight', [2, 5, 3, 2]],
      ['2.bias', [2]],
      ['5.weight', [4, 12]],
      ['5.bias', [4]],
    ]);
    expect(read.map((p) => Array.from(p.data))).toEqual(params.map((p) => Array.from(p.data)));
  });
});

/** Largest |float32 − float64| over the logits, relative to the largest float64 logit's magnitude. */
async function float32LogitsError(spec: ModelSpec, params: ParameterTensor[], batch: Batch): Promise<number> {
  const l32 = await new ReferenceModel(spec, 'float32', params).logits(batch);
  const l64 = await new ReferenceModel(spec, 'float64', params).logits(batch);
  expect(l32).toBeInstanceOf(Float32Array);
  const scale = Math.max(...Array.from(l64, Math.abs));
  return Math.max(...Array.from(l64, (v, i) => Math.abs((l32[i] as number) - v))) / scale;
}

describe('reference backend', () => {
  it('float32 agrees with float64 to float32 precision (logits relative to their largest magnitude)', async () => {
    const params = randomParams(deepMlp.layers, 7);
    const batch = randomBatch(deepMlp, 8, 8);
    const error = await float32LogitsError(deepMlp, params, batch);
    // Measured 7.1e-8: a few float32 roundings of stored weights and activations (float32's ε is 1.2e-7).
    expect(error).toBeLessThanOrEqual(6e-7);
  });

  it('float32 LeNet agrees with float64 LeNet to float32 precision (logits relative to their largest magnitude)', async () => {
    const spec: ModelSpec = { layers: presetLayers('lenet', [1, 28, 28], 10), inputShape: [1, 28, 28], numClasses: 10 };
    const rng = Rng.seeded(16);
    const params = parameterShapes(spec.layers).map(({ name, shape }) => ({ name, shape, data: new Float64Array(sizeOf(shape)) }));
    // The book's initialisation: Xavier-uniform weights, PyTorch's default biases (float32-exact values).
    for (let k = 0; k < params.length; k += 2) {
      const [weight, bias] = [params[k] as ParameterTensor, params[k + 1] as ParameterTensor];
      const receptive = sizeOf(weight.shape.slice(2));
      const slot = { weight: weight.data as Float64Array, bias: bias.data as Float64Array };
      xavierUniform()({ ...slot, fanIn: (weight.shape[1] as number) * receptive, fanOut: (weight.shape[0] as number) * receptive }, rng);
    }
    const size = 4;
    const pixels = Uint8Array.from({ length: size * 784 }, () => rng.int(0, 255));
    const batch: Batch = { x: new Float32Array(0), pixels, y: Int32Array.from([0, 3, 7, 9]), size, sampleShape: [1, 28, 28] };
    const error = await float32LogitsError(spec, params, batch);
    // Measured 4.2e-8 over 12 layers (float32 storage of every activation, float64 sums), tolerance 5× that.
    expect(error).toBeLessThanOrEqual(2e-7);
  });

  it('refuses use after dispose', async () => {
    const model = new ReferenceModel(deepMlp, 'float32', randomParams(deepMlp.layers, 9));
    await model.dispose();
    await expect(model.readParameters()).rejects.toThrow('This reference model was disposed');
  });

  it('offers float32 and float64 engines and refuses a mismatched dtype', async () => {
    expect(adapter.engines.map((e) => e.name)).toEqual(['float32', 'float64']);
    await expect(adapter.engines[0]?.create({ dtype: 'float64' })).rejects.toThrow(
      'reference/float32 computes in float32; for float64 use reference/float64.',
    );
  });
});
