import {
  describeEachEngine,
  flatParameters,
  maxRelativeError,
  mlpSpec,
  randomBatch,
  randomParameters,
  referenceStep,
  relativeError,
  scaledError,
  softmaxSpec,
  updateError,
} from '@xbackend/conformance';
import { type Batch, numerics, type ParameterTensor, XBackendError } from '@xbackend/core';
import { expect, it } from 'vitest';
import { adapter } from './adapter.js';
import { engineFixture, tensorCount } from './test-helpers.js';

const softmaxRegression = softmaxSpec([1, 3, 4], 4);
const smallMlp = mlpSpec([1, 3, 4], [8], 4);

/**
 * float32 against the float64 oracle, relative to the scale of what is compared (an update: its size); worst
 * measured on wasm and cpu 2.2e-6 (the update of a one-example step at lr 0.05), the limit 10× that, rounded down.
 */
const F32 = 2e-5;

describeEachEngine(adapter, 'tfjs models', (engine) => {
  const { backend, withModel } = engineFixture(engine);

  it('reports the engine it runs on', () => {
    expect(backend().name).toBe('tfjs');
    expect(backend().engine).toBe(engine.name);
    expect(backend().dtype).toBe('float32');
    expect(backend().details.tfjsBackend).toBe(engine.name);
    expect(backend().details.tfjsCore).toMatch(/^4\./);
  });

  for (const [label, spec, hyper] of [
    ['softmax regression', softmaxRegression, { lr: 0.5, weightDecay: 0 }],
    ['MLP with weight decay', smallMlp, { lr: 0.3, weightDecay: 0.05 }],
  ] as const) {
    it(`one train step of the ${label} equals the float64 oracle's`, async () => {
      const params = randomParameters(spec, 1);
      const batch = randomBatch(spec, 7, 2);
      const expected = await referenceStep(spec, params, batch, hyper);
      await withModel(spec, params, async (model) => {
        expect(scaledError(await model.logits(batch), expected.logits)).toBeLessThanOrEqual(F32);
        expect(scaledError(await model.losses(batch), expected.losses)).toBeLessThanOrEqual(F32);
        const stats = await model.trainStep(batch, hyper);
        expect(relativeError(stats.lossSum, expected.lossSum)).toBeLessThanOrEqual(F32);
        expect(stats.correct).toBe(expected.correct);
        expect(updateError(await model.readParameters(), expected.params, params)).toBeLessThanOrEqual(F32);
      });
    });
  }

  it('follows lr changes between steps and keeps the last partial batch', async () => {
    const steps: [Batch, { lr: number; weightDecay: number }][] = [
      [randomBatch(smallMlp, 8, 4), { lr: 0.5, weightDecay: 0 }],
      [randomBatch(smallMlp, 8, 5), { lr: 0.05, weightDecay: 0.01 }],
      [randomBatch(smallMlp, 3, 6), { lr: 0.5, weightDecay: 0 }],
      [randomBatch(smallMlp, 1, 7), { lr: 0.2, weightDecay: 0 }],
    ];
    await withModel(smallMlp, randomParameters(smallMlp, 3), async (model) => {
      for (const [i, [batch, hyper]] of steps.entries()) {
        // Each step from what the backend holds, so that float32 rounding does not accumulate in the comparison.
        const current = await model.readParameters();
        const expected = await referenceStep(smallMlp, current, batch, hyper);
        const stats = await model.trainStep(batch, hyper);
        expect(relativeError(stats.lossSum, expected.lossSum), `step ${i}`).toBeLessThanOrEqual(F32);
        expect(stats.correct, `step ${i}`).toBe(expected.correct);
        expect(updateError(await model.readParameters(), expected.params, current), `step ${i}`).toBeLessThanOrEqual(F32);
      }
    });
  });

  it('gives finite, correct logits, losses and steps for extreme logits (±1e4, ±3e38, equal rows)', async () => {
    // Flatten + Linear(R, 3) on one-hot inputs: example r's logits are column r of the weight, exactly.
    const rows: [number[], number][] = [
      [[1e4, -1e4, 0], 0],
      [[1e4, -1e4, 0], 1],
      [[1e4, 1e4, 1e4], 2],
      [[3e38, -3e38, 0], 0],
      [[3e38, 0, -3e38], 1],
      [[3e38, 3e38, 3e38], 2],
      [[-3e38, -3e38, -3e38], 1],
      [[-3e38, -3e38, 3e38], 2],
      [[0, 0, 0], 0],
    ];
    const R = rows.length;
    const spec = softmaxSpec([R], 3);
    const weight = new Float32Array(3 * R);
    rows.forEach(([logits], r) => {
      logits.forEach((v, c) => {
        weight[c * R + r] = v;
      });
    });
    const params: ParameterTensor[] = [
      { name: '1.weight', shape: [3, R], data: weight },
      { name: '1.bias', shape: [3], data: new Float32Array(3) },
    ];
    const x = new Float32Array(R * R);
    for (let r = 0; r < R; r++) x[r * R + r] = 1;
    const batch: Batch = { x, y: Int32Array.from(rows.map(([, label]) => label)), size: R, sampleShape: [R] };
    const expectedLogits = rows.flatMap(([logits]) => logits.map(Math.fround));
    const expectedLosses = numerics.crossEntropy(expectedLogits, batch.y, 3);
    await withModel(spec, params, async (model) => {
      expect(Array.from(await model.logits(batch))).toEqual(expectedLogits);
      const losses = await model.losses(batch);
      expect(losses.every(Number.isFinite)).toBe(true);
      // Relative to each loss, or to 1 for losses near 0 (a label at a lone max).
      expect(maxRelativeError(losses, expectedLosses, 1)).toBeLessThanOrEqual(F32);
      const hyper = { lr: 0.1, weightDecay: 0 };
      const expected = await referenceStep(spec, params, batch, hyper);
      const stats = await model.trainStep(batch, hyper);
      expect(relativeError(stats.lossSum, expected.lossSum)).toBeLessThanOrEqual(F32);
      // argmax: the first of equal logits wins (as torch.argmax), so of the equal rows only label 0 counts.
      expect(stats.correct).toBe(expected.correct);
      const after = flatParameters(await model.readParameters());
      expect(after.every(Number.isFinite)).toBe(true);
      // Weights of ±1e4 move by less than their float32 spacing allows to store exactly: relative to each weight (at least 1).
      expect(maxRelativeError(after, flatParameters(expected.params), 1)).toBeLessThanOrEqual(F32);
    });
  });

  it('keeps the tensor count flat over many steps and epochs, and dispose() returns to the baseline', async () => {
    const baseline = tensorCount();
    const model = await backend().compile(smallMlp, randomParameters(smallMlp, 10));
    const afterCompile = tensorCount();
    expect(afterCompile).toBeGreaterThan(baseline);
    const batches = [randomBatch(smallMlp, 16, 11), randomBatch(smallMlp, 16, 12), randomBatch(smallMlp, 5, 13)];
    await model.trainStep(batches[0] as Batch, { lr: 0.1, weightDecay: 0 }); // creates the optimizer's lr scalar
    const steady = tensorCount();
    for (let epoch = 0; epoch < 10; epoch++) {
      for (const [i, batch] of batches.entries()) {
        await model.trainStep(batch, { lr: epoch % 2 ? 0.1 : 0.05, weightDecay: i === 1 ? 1e-3 : 0 });
        expect(tensorCount(), `after epoch ${epoch} step ${i}`).toBe(steady);
      }
      await model.evaluate(batches[2] as Batch);
      await model.logits(batches[2] as Batch);
      await model.losses(batches[2] as Batch);
      await model.readParameters();
      expect(tensorCount(), `after epoch ${epoch}`).toBe(steady);
    }
    await model.writeParameters(randomParameters(smallMlp, 14));
    expect(tensorCount()).toBe(steady);
    await model.dispose();
    expect(tensorCount()).toBe(baseline);
  });

  it('writes and reads parameters back exactly (PyTorch [out, in] layout)', async () => {
    const params = randomParameters(smallMlp, 15);
    await withModel(smallMlp, randomParameters(smallMlp, 16), async (model) => {
      await model.writeParameters(params);
      const read = await model.readParameters();
      expect(read.map((p) => [p.name, p.shape])).toEqual(params.map((p) => [p.name, p.shape]));
      read.forEach((p, i) => {
        expect(Array.from(p.data)).toEqual(Array.from((params[i] as ParameterTensor).data));
      });
    });
  });

  it('a disposed model refuses work with an XBackendError (batches and parameters are checked by core)', async () => {
    const disposed = await backend().compile(softmaxRegression, randomParameters(softmaxRegression, 19));
    await disposed.dispose();
    await expect(disposed.evaluate(randomBatch(softmaxRegression, 2, 20))).rejects.toThrow(XBackendError);
  });
});
