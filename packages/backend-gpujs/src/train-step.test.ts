import { type Batch, type ModelSpec, type ParameterTensor, Rng, type StepHyperparameters } from '@xbackend/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GpuJsBackend } from './gpujs-backend.js';
import type { GpuJsModel } from './gpujs-model.js';
import { createEngine, describeEachMode } from './test-modes.js';
import { randomBatch, randomParameters, referenceStep, toleranceRatio } from './test-reference.js';
import { FLOAT32_EPSILON, GPUJS_TOLERANCES } from './tolerances.js';

const softmaxRegression: ModelSpec = {
  layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 784, outFeatures: 10 }],
  inputShape: [1, 28, 28],
  numClasses: 10,
};

const deepMlp: ModelSpec = {
  layers: [
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 20, outFeatures: 16 },
    { kind: 'relu' },
    { kind: 'linear', inFeatures: 16, outFeatures: 12 },
    { kind: 'relu' },
    { kind: 'relu' },
    { kind: 'linear', inFeatures: 12, outFeatures: 5 },
  ],
  inputShape: [4, 5],
  numClasses: 5,
};

/** ReLU before the first Linear (clamps the input) and after the last one (rectified logits). */
const reluAtBothEnds: ModelSpec = {
  layers: [{ kind: 'relu' }, { kind: 'flatten' }, { kind: 'linear', inFeatures: 12, outFeatures: 6 }, { kind: 'relu' }],
  inputShape: [12],
  numClasses: 6,
};

/** Inputs in [-1, 1), so that a ReLU on the input has something to clamp. */
function signedBatch(spec: ModelSpec, size: number, rng: Rng): Batch {
  const batch = randomBatch(spec, size, rng);
  return { ...batch, x: batch.x.map((v) => Math.fround(2 * v - 1)) };
}

describeEachMode('trainStep', (mode) => {
  const u = GPUJS_TOLERANCES[mode].ulps * FLOAT32_EPSILON;
  let backend: GpuJsBackend;
  beforeAll(async () => {
    backend = await createEngine(mode);
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  /** Parameters within `ulps` of each tensor's largest magnitude; loss sum and correct count as the reference. */
  async function expectStepMatches(
    model: GpuJsModel,
    spec: ModelSpec,
    before: readonly ParameterTensor[],
    batch: Batch,
    hyper: StepHyperparameters,
  ) {
    const expected = referenceStep(spec, before, batch, hyper);
    const stats = await model.trainStep(batch, hyper);
    expect(stats.correct).toBe(expected.correct);
    expect(Math.abs(stats.lossSum - expected.lossSum)).toBeLessThanOrEqual(u * (expected.lossSum + batch.size));
    const after = await model.readParameters();
    expect(after.map((p) => p.name)).toEqual(expected.params.map((p) => p.name));
    after.forEach((p, i) => {
      const want = expected.params[i] as ParameterTensor;
      expect(p.shape).toEqual(want.shape);
      const scale = Math.max(...Array.from(want.data, Math.abs));
      expect(toleranceRatio(p.data, want.data, u, u * scale), p.name).toBeLessThanOrEqual(1);
    });
    return after;
  }

  const cases: [string, ModelSpec, number, StepHyperparameters, (spec: ModelSpec, n: number, rng: Rng) => Batch][] = [
    ['softmax regression 784→10', softmaxRegression, 32, { lr: 0.1, weightDecay: 0 }, randomBatch],
    ['MLP 20→16→ReLU→12→ReLU→5 with weight decay', deepMlp, 24, { lr: 0.5, weightDecay: 0.01 }, randomBatch],
    ['ReLU on the input and on the logits', reluAtBothEnds, 9, { lr: 0.3, weightDecay: 0.001 }, signedBatch],
  ];

  it.each(cases)('one SGD step of a %s equals a float64 host step', async (name, spec, n, hyper, makeBatch) => {
    const rng = Rng.seeded(11, name);
    const params = randomParameters(spec, rng);
    const model = (await backend.compile(spec, params)) as GpuJsModel;
    await expectStepMatches(model, spec, params, makeBatch(spec, n, rng), hyper);
    await model.dispose();
  });

  it('partial batches (padded, or with kernels of their own) step like the reference, with no rebuild per epoch', async () => {
    const rng = Rng.seeded(12);
    const params = randomParameters(deepMlp, rng);
    const model = (await backend.compile(deepMlp, params)) as GpuJsModel;
    // 20 fits the 32-example kernels (padded, masked rows); 13 is under half of 32, so it gets kernels of its own.
    const epoch = [32, 32, 20, 13].map((n) => randomBatch(deepMlp, n, rng));
    const hyper = { lr: 0.2, weightDecay: 0.001 };
    let current = params;
    for (const batch of epoch) current = await expectStepMatches(model, deepMlp, current, batch, hyper);
    const capacities = model.cachedCapacities().sort((a, b) => a - b);
    expect(capacities).toEqual([13, 32]);
    const kernelsAfterFirstEpoch = model.resources().kernels;
    for (const batch of epoch) current = await expectStepMatches(model, deepMlp, current, batch, hyper);
    expect(model.cachedCapacities().sort((a, b) => a - b)).toEqual(capacities);
    expect(model.resources().kernels).toBe(kernelsAfterFirstEpoch);
    await model.dispose();
  });

  it('evaluate reports the loss sum and correct count of the same forward pass, without changing parameters', async () => {
    const rng = Rng.seeded(13);
    const params = randomParameters(softmaxRegression, rng);
    const model = (await backend.compile(softmaxRegression, params)) as GpuJsModel;
    const batch = randomBatch(softmaxRegression, 50, rng);
    const expected = referenceStep(softmaxRegression, params, batch, { lr: 0.1, weightDecay: 0 });
    const stats = await model.evaluate(batch);
    expect(stats.correct).toBe(expected.correct);
    expect(Math.abs(stats.lossSum - expected.lossSum)).toBeLessThanOrEqual(u * (expected.lossSum + batch.size));
    const after = await model.readParameters();
    expect(after.map((p) => Array.from(p.data))).toEqual(params.map((p) => Array.from(p.data)));
    await model.dispose();
  });

  it('writeParameters replaces the device values and rejects mismatched tensors', async () => {
    const rng = Rng.seeded(14);
    const model = await backend.compile(softmaxRegression, randomParameters(softmaxRegression, rng));
    const replacement = randomParameters(softmaxRegression, rng);
    await model.writeParameters(replacement);
    const read = await model.readParameters();
    expect(read.map((p) => Array.from(p.data))).toEqual(replacement.map((p) => Array.from(p.data)));
    const [weight, bias] = replacement as [ParameterTensor, ParameterTensor];
    await expect(model.writeParameters([weight])).rejects.toThrow(/1\.bias/);
    await expect(model.writeParameters([{ ...weight, shape: [784, 10] }, bias])).rejects.toThrow(/\[10,784\]/);
    const batch = randomBatch(softmaxRegression, 4, rng);
    await expect(model.trainStep({ ...batch, y: Int32Array.from([0, 1, 10, 2]) }, { lr: 0.1, weightDecay: 0 })).rejects.toThrow(
      /Label 10 of example 2/,
    );
    await expect(model.logits({ ...batch, sampleShape: [28, 27] })).rejects.toThrow(/784 values/);
    await model.dispose();
    await expect(model.readParameters()).rejects.toThrow(/disposed/);
  });
});
