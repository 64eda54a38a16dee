import { maxAbs, randomBatch, randomParameters, referenceStep, scaledError, softmaxSpec } from '@xbackend/conformance';
import type { Batch, ModelSpec, ParameterTensor, StepHyperparameters } from '@xbackend/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GpuJsBackend } from './gpujs-backend.js';
import type { GpuJsModel } from './gpujs-model.js';
import { createEngine, describeEachMode, kernelTolerance } from './test-modes.js';

const softmaxRegression = softmaxSpec([1, 28, 28], 10);
/** Parameters from N(0, 0.05), so that every term of an update is exercised. */
const std = 0.05;

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

describeEachMode('trainStep', (mode) => {
  const u = kernelTolerance(mode);
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
    const expected = await referenceStep(spec, before, batch, hyper);
    const stats = await model.trainStep(batch, hyper);
    expect(stats.correct).toBe(expected.correct);
    expect(Math.abs(stats.lossSum - expected.lossSum)).toBeLessThanOrEqual(u * (expected.lossSum + batch.size));
    const after = await model.readParameters();
    expect(after.map((p) => p.name)).toEqual(expected.params.map((p) => p.name));
    after.forEach((p, i) => {
      const want = expected.params[i] as ParameterTensor;
      expect(p.shape).toEqual(want.shape);
      // Relative to the tensor's largest magnitude (each stored value rounds to float32 on that scale).
      expect(scaledError(p.data, want.data, maxAbs(want.data)), p.name).toBeLessThanOrEqual(2 * u);
    });
    return after;
  }

  // Inputs in [-1, 1) where a ReLU on the input has something to clamp.
  const cases: [string, ModelSpec, number, StepHyperparameters, boolean][] = [
    ['softmax regression 784→10', softmaxRegression, 32, { lr: 0.1, weightDecay: 0 }, false],
    ['MLP 20→16→ReLU→12→ReLU→5 with weight decay', deepMlp, 24, { lr: 0.5, weightDecay: 0.01 }, false],
    ['ReLU on the input and on the logits', reluAtBothEnds, 9, { lr: 0.3, weightDecay: 0.001 }, true],
  ];

  it.each(cases)('one SGD step of a %s equals the float64 oracle', async (_, spec, n, hyper, signed) => {
    const params = randomParameters(spec, 11, { std });
    const model = (await backend.compile(spec, params)) as GpuJsModel;
    await expectStepMatches(model, spec, params, randomBatch(spec, n, 11, { signed }), hyper);
    await model.dispose();
  });

  it('partial batches (padded, or with kernels of their own) step like the reference, with no rebuild per epoch', async () => {
    const params = randomParameters(deepMlp, 12, { std });
    const model = (await backend.compile(deepMlp, params)) as GpuJsModel;
    // 20 fits the 32-example kernels (padded, masked rows); 13 is under half of 32, so it gets kernels of its own.
    const epoch = [32, 32, 20, 13].map((n, k) => randomBatch(deepMlp, n, 12 + k));
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
    const params = randomParameters(softmaxRegression, 13, { std });
    const model = (await backend.compile(softmaxRegression, params)) as GpuJsModel;
    const batch = randomBatch(softmaxRegression, 50, 13);
    const expected = await referenceStep(softmaxRegression, params, batch, { lr: 0.1, weightDecay: 0 });
    const stats = await model.evaluate(batch);
    expect(stats.correct).toBe(expected.correct);
    expect(Math.abs(stats.lossSum - expected.lossSum)).toBeLessThanOrEqual(u * (expected.lossSum + batch.size));
    const after = await model.readParameters();
    expect(after.map((p) => Array.from(p.data))).toEqual(params.map((p) => Array.from(p.data)));
    await model.dispose();
  });

  it('writeParameters replaces the device values; a disposed model refuses work (tensors are checked by core)', async () => {
    const model = await backend.compile(softmaxRegression, randomParameters(softmaxRegression, 14, { std }));
    const replacement = randomParameters(softmaxRegression, 15, { std });
    await model.writeParameters(replacement);
    const read = await model.readParameters();
    expect(read.map((p) => Array.from(p.data))).toEqual(replacement.map((p) => Array.from(p.data)));
    await model.dispose();
    await expect(model.readParameters()).rejects.toThrow(/disposed/);
  });
});
