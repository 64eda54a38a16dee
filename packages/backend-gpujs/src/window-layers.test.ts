import { maxAbs, randomBatch, randomParameters, referenceStep, scaledError } from '@xbackend/conformance';
import { type Batch, type ModelSpec, type ParameterTensor, parameterShapes, presetLayers, type StepHyperparameters } from '@xbackend/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GpuJsBackend } from './gpujs-backend.js';
import type { GpuJsModel } from './gpujs-model.js';
import { createEngine, describeEachMode, kernelTolerance } from './test-modes.js';

/**
 * Odd sizes and strides on [2, 9, 7] examples: a rectangular Conv2d with row padding whose sigmoid feeds an average pool
 * that drops its last row, then a Conv2d with stride 2, padding 1 and a rectangular kernel (its input gradient reaches
 * only some pixels, through the pool, into the first sigmoid), then Linear, Sigmoid, Linear.
 */
const oddAverages: ModelSpec = {
  layers: [
    { kind: 'conv2d', inChannels: 2, outChannels: 3, kernelSize: [3, 2], stride: [1, 1], padding: [1, 0] }, // [3, 9, 6]
    { kind: 'sigmoid' },
    { kind: 'avgpool2d', kernelSize: [2, 2], stride: [2, 2] }, // [3, 4, 3]
    { kind: 'conv2d', inChannels: 3, outChannels: 4, kernelSize: [3, 2], stride: [2, 2], padding: [1, 1] }, // [4, 2, 2]
    { kind: 'sigmoid' },
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 16, outFeatures: 5 },
    { kind: 'sigmoid' },
    { kind: 'linear', inFeatures: 5, outFeatures: 4 },
  ],
  inputShape: [2, 9, 7],
  numClasses: 4,
};

/**
 * A strided, padded Conv2d with ReLU, a max pool with overlapping columns that drops its last row, a Conv2d whose input
 * gradient goes back through the max, and a sigmoid on the logits.
 */
const oddMaxima: ModelSpec = {
  layers: [
    { kind: 'conv2d', inChannels: 2, outChannels: 4, kernelSize: [3, 3], stride: [2, 2], padding: [1, 1] }, // [4, 5, 4]
    { kind: 'relu' },
    { kind: 'maxpool2d', kernelSize: [2, 3], stride: [2, 1] }, // [4, 2, 2]
    { kind: 'conv2d', inChannels: 4, outChannels: 3, kernelSize: [1, 2], stride: [1, 1], padding: [0, 0] }, // [3, 2, 1]
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 6, outFeatures: 4 },
    { kind: 'sigmoid' },
  ],
  inputShape: [2, 9, 7],
  numClasses: 4,
};

/**
 * Activations that no layer can take (stages of their own): a sigmoid on the input, a sigmoid after a sigmoid, a ReLU
 * after a sigmoid (after a Linear of 5 outputs, whose rows the packed kernels pad to 8).
 */
const loneActivations: ModelSpec = {
  layers: [
    { kind: 'sigmoid' },
    { kind: 'conv2d', inChannels: 2, outChannels: 3, kernelSize: [2, 2], stride: [1, 1], padding: [0, 0] }, // [3, 2, 2]
    { kind: 'sigmoid' },
    { kind: 'sigmoid' },
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 12, outFeatures: 5 },
    { kind: 'sigmoid' },
    { kind: 'relu' },
    { kind: 'linear', inFeatures: 5, outFeatures: 4 },
  ],
  inputShape: [2, 3, 3],
  numClasses: 4,
};

/** LeNet's layers on 12×12 images (a 16-feature first Linear). */
const smallLenet: ModelSpec = { layers: presetLayers('lenet', [1, 12, 12], 10), inputShape: [1, 12, 12], numClasses: 10 };

/** Weights from N(0, 0.5): pre-activations of a few units, where the sigmoids neither saturate nor stay linear. */
const std = 0.5;

function withParameter(params: readonly ParameterTensor[], name: string, values: (i: number) => number): ParameterTensor[] {
  return params.map((p) => (p.name === name ? { ...p, data: Float32Array.from(p.data, (_, i) => Math.fround(values(i))) } : p));
}

describeEachMode('convolution, pooling and sigmoid', (mode) => {
  const u = kernelTolerance(mode);
  let backend: GpuJsBackend;
  beforeAll(async () => {
    backend = await createEngine(mode);
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  /**
   * Logits within `2u` of the largest |logit| (each stage rounds its output to float32 and the next may amplify that
   * where its terms cancel: measured up to 3.5 ulps over 8 seeds of these nets, behind a sigmoid on the logits); the
   * step's loss sum, correct count and parameters as the reference's.
   */
  async function expectStepMatches(
    model: GpuJsModel,
    spec: ModelSpec,
    before: readonly ParameterTensor[],
    batch: Batch,
    hyper: StepHyperparameters,
  ) {
    const expected = await referenceStep(spec, before, batch, hyper);
    const logits = await model.logits(batch);
    expect(logits.every(Number.isFinite)).toBe(true);
    expect(scaledError(logits, expected.logits), 'logits').toBeLessThanOrEqual(2 * u);
    const stats = await model.trainStep(batch, hyper);
    expect(stats.correct).toBe(expected.correct);
    expect(Math.abs(stats.lossSum - expected.lossSum)).toBeLessThanOrEqual(u * (expected.lossSum + batch.size));
    const after = await model.readParameters();
    expect(after.map((p) => [p.name, p.shape])).toEqual(expected.params.map((p) => [p.name, p.shape]));
    after.forEach((p, i) => {
      const want = expected.params[i] as ParameterTensor;
      expect(p.data.every(Number.isFinite), p.name).toBe(true);
      expect(scaledError(p.data, want.data, maxAbs(want.data)), p.name).toBeLessThanOrEqual(2 * u);
    });
    return after;
  }

  const cases: [string, ModelSpec, StepHyperparameters][] = [
    ['odd sizes, strided padded rectangular convolutions and average pools', oddAverages, { lr: 0.5, weightDecay: 0.01 }],
    ['max pools with overlapping windows, and a sigmoid on the logits', oddMaxima, { lr: 0.5, weightDecay: 0 }],
    ['activations with stages of their own', loneActivations, { lr: 0.5, weightDecay: 0 }],
    ["LeNet's layers on 12×12 images", smallLenet, { lr: 0.9, weightDecay: 0.001 }],
  ];

  it.each(cases)('%s: logits and one SGD step equal the float64 oracle', async (_, spec, hyper) => {
    const params = randomParameters(spec, 41, { std });
    const model = (await backend.compile(spec, params)) as GpuJsModel;
    await expectStepMatches(model, spec, params, randomBatch(spec, 6, 41, { signed: true }), hyper);
    await model.dispose();
  });

  it('reads back OIHW weights with their 4-D shape, and never computes the gradient of the first layer w.r.t. the input', async () => {
    const params = randomParameters(oddAverages, 42, { std });
    const model = (await backend.compile(oddAverages, params)) as GpuJsModel;
    const read = await model.readParameters();
    expect(read.map((p) => [p.name, p.shape])).toEqual(parameterShapes(oddAverages.layers).map((p) => [p.name, p.shape]));
    expect(read.map((p) => Array.from(p.data))).toEqual(params.map((p) => Array.from(p.data)));
    await model.trainStep(randomBatch(oddAverages, 3, 42), { lr: 0.1, weightDecay: 0 });
    // Kernels are named by stage (conv, pool, conv, linear, linear): only stage 2, the second Conv2d, has one.
    expect(model.compiledKernels().filter((k) => k.startsWith('convInputGrad'))).toEqual(['convInputGrad2']);
    await model.dispose();
  });

  it('max pooling passes each gradient to the first largest value of its window (ties in every window)', async () => {
    // Zero first-layer weights: every pre-activation is its channel's bias, so every window of the max pool ties, and
    // the first Conv2d's weight gradient reads the input exactly where the ties were broken.
    const params = withParameter(randomParameters(oddMaxima, 43, { std }), '0.weight', () => 0);
    const model = (await backend.compile(oddMaxima, params)) as GpuJsModel;
    const after = await expectStepMatches(model, oddMaxima, params, randomBatch(oddMaxima, 5, 43, { signed: true }), {
      lr: 0.5,
      weightDecay: 0,
    });
    expect(maxAbs((after[0] as ParameterTensor).data)).toBeGreaterThan(0);
    await model.dispose();
  });

  it('saturated sigmoids (pre-activations of ±1000) give exact 0 and 1, zero gradients and no NaN', async () => {
    const spec: ModelSpec = {
      layers: [
        { kind: 'conv2d', inChannels: 1, outChannels: 2, kernelSize: [1, 1], stride: [1, 1], padding: [0, 0] },
        { kind: 'sigmoid' },
        { kind: 'avgpool2d', kernelSize: [3, 3], stride: [3, 3] },
        { kind: 'flatten' },
        { kind: 'linear', inFeatures: 2, outFeatures: 3 },
      ],
      inputShape: [1, 3, 3],
      numClasses: 3,
    };
    const params = withParameter(randomParameters(spec, 44, { std }), '0.weight', (o) => (o === 0 ? 1000 : -1000));
    // Pixels of ±1: pre-activations of ±1000 plus a bias below 1.
    const batch: Batch = {
      x: Float32Array.from({ length: 4 * 9 }, (_, i) => ((i * 7) % 3 === 0 ? -1 : 1)),
      y: Int32Array.of(0, 1, 2, 1),
      size: 4,
      sampleShape: [1, 3, 3],
    };
    const model = (await backend.compile(spec, params)) as GpuJsModel;
    const after = await expectStepMatches(model, spec, params, batch, { lr: 0.5, weightDecay: 0 });
    // Every sigmoid saturated, so nothing reaches the convolution.
    expect(Array.from((after[0] as ParameterTensor).data)).toEqual(Array.from((params[0] as ParameterTensor).data));
    await model.dispose();
  });

  it('the conv weight gradient sums batch × pixels terms (256 × 784) compensated, where plain float32 sums are not close', async () => {
    // Conv2d(1, 1, 1×1) from zero, then a Linear whose class-0 row is all ones: the logits are 0, the gradient at every
    // pixel of example b is dz[b] = 1/2 − [label = 0], and the conv weight's gradient is the mean over the batch of
    // dz[b] · Σ_p x[b][p]. Pixel 0 is 1e4; the other 783 are below half an ulp of the running sum, so a plain float32
    // sum drops every one of them.
    const spec: ModelSpec = {
      layers: [
        { kind: 'conv2d', inChannels: 1, outChannels: 1, kernelSize: [1, 1], stride: [1, 1], padding: [0, 0] },
        { kind: 'flatten' },
        { kind: 'linear', inFeatures: 784, outFeatures: 2 },
      ],
      inputShape: [1, 28, 28],
      numClasses: 2,
    };
    const n = 256;
    const params: ParameterTensor[] = [
      { name: '0.weight', shape: [1, 1, 1, 1], data: new Float32Array(1) },
      { name: '0.bias', shape: [1], data: new Float32Array(1) },
      { name: '2.weight', shape: [2, 784], data: Float32Array.from({ length: 2 * 784 }, (_, i) => (i < 784 ? 1 : 0)) },
      { name: '2.bias', shape: [2], data: new Float32Array(2) },
    ];
    const x = Float32Array.from({ length: n * 784 }, (_, i) => (i % 784 === 0 ? 1e4 : Math.fround(1e-4 + ((i * 37) % 101) * 3e-6)));
    const batch: Batch = { x, y: Int32Array.from({ length: n }, (_, b) => (b % 4 === 0 ? 0 : 1)), size: n, sampleShape: [1, 28, 28] };
    const hyper = { lr: 1e-3, weightDecay: 0 };
    const expected = (await referenceStep(spec, params, batch, hyper)).params[0] as ParameterTensor;
    const want = expected.data[0] as number;
    let plain = 0;
    for (let b = 0; b < n; b++) {
      const dz = b % 4 === 0 ? -0.5 : 0.5;
      for (let p = 0; p < 784; p++) plain = Math.fround(plain + Math.fround(dz * (x[b * 784 + p] as number)));
    }
    expect(Math.abs(-hyper.lr * Math.fround(plain / n) - want)).toBeGreaterThan(10 * u * Math.abs(want)); // needs compensation
    const model = (await backend.compile(spec, params)) as GpuJsModel;
    await model.trainStep(batch, hyper);
    const [weight] = await model.readParameters();
    expect(Math.abs((weight?.data[0] as number) - want)).toBeLessThanOrEqual(u * Math.abs(want));
    await model.dispose();
  });

  it('padded partial batches (label -1 rows) and batches with kernels of their own step like the reference', async () => {
    const params = randomParameters(oddAverages, 45, { std });
    const model = (await backend.compile(oddAverages, params)) as GpuJsModel;
    // 5 fits the 8-example kernels (padded); 3 is under half of 8, so it gets kernels of its own.
    let current = params;
    for (const [k, size] of [8, 5, 3].entries()) {
      current = await expectStepMatches(model, oddAverages, current, randomBatch(oddAverages, size, 46 + k, { signed: true }), {
        lr: 0.5,
        weightDecay: 0,
      });
    }
    expect(model.cachedCapacities().sort((a, b) => a - b)).toEqual([3, 8]);
    await model.dispose();
  });
});
