import * as tf from '@tensorflow/tfjs-core';
import {
  type Backend,
  type Batch,
  type CompiledModel,
  InvalidArgumentError,
  type ModelSpec,
  type ParameterTensor,
  XBackendError,
} from '@xbackend/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createEngine,
  ENGINE_NAMES,
  engineUnavailable,
  expectClose,
  expectParamsClose,
  randomBatch,
  randomParams,
  referenceStep,
  separableBatches,
  stableCrossEntropy,
  tensorCount,
} from './test-helpers.js';

const softmaxRegression: ModelSpec = {
  layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 12, outFeatures: 4 }],
  inputShape: [1, 3, 4],
  numClasses: 4,
};

const smallMlp: ModelSpec = {
  layers: [
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 12, outFeatures: 8 },
    { kind: 'relu' },
    { kind: 'linear', inFeatures: 8, outFeatures: 4 },
  ],
  inputShape: [1, 3, 4],
  numClasses: 4,
};

/** float32 arithmetic against a float64 oracle. */
const F32 = { abs: 1e-6, rel: 1e-5 };

for (const engine of ENGINE_NAMES) {
  const unavailable = await engineUnavailable(engine);
  describe.skipIf(unavailable !== undefined)(`tfjs/${engine}${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
    let backend: Backend;
    let before = 0;

    beforeAll(async () => {
      backend = await createEngine(engine);
    });
    afterAll(async () => {
      await backend?.dispose();
    });
    // Leak check around every test: each one disposes what it compiles.
    beforeEach(() => {
      before = tensorCount();
    });
    afterEach(() => {
      expect(tensorCount(), 'tensors left behind by this test').toBe(before);
    });

    async function withModel<T>(spec: ModelSpec, params: ParameterTensor[], use: (model: CompiledModel) => Promise<T>): Promise<T> {
      const model = await backend.compile(spec, params);
      try {
        return await use(model);
      } finally {
        await model.dispose();
      }
    }

    it('reports the engine it runs on', () => {
      expect(backend.name).toBe('tfjs');
      expect(backend.engine).toBe(engine);
      expect(backend.dtype).toBe('float32');
      expect(backend.details.tfjsBackend).toBe(engine);
      expect(backend.details.tfjsCore).toMatch(/^4\./);
    });

    for (const [label, spec, hyper] of [
      ['softmax regression', softmaxRegression, { lr: 0.5, weightDecay: 0 }],
      ['MLP with weight decay', smallMlp, { lr: 0.3, weightDecay: 0.05 }],
    ] as const) {
      it(`one train step of the ${label} equals a float64 host computation`, async () => {
        const params = randomParams(spec.layers, 1);
        const batch = randomBatch(7, spec.inputShape, spec.numClasses, 2);
        const expected = referenceStep(spec, params, batch, hyper);
        await withModel(spec, params, async (model) => {
          expectClose(await model.logits(batch), expected.logits, F32, 'logits');
          expectClose(await model.losses(batch), expected.losses, F32, 'losses');
          const stats = await model.trainStep(batch, hyper);
          expect(stats.lossSum).toBeCloseTo(expected.lossSum, 5);
          expect(stats.correct).toBe(expected.correct);
          expectParamsClose(await model.readParameters(), expected.params, F32);
        });
      });
    }

    it('follows lr changes between steps and keeps the last partial batch', async () => {
      const params = randomParams(smallMlp.layers, 3);
      const steps: [Batch, { lr: number; weightDecay: number }][] = [
        [randomBatch(8, smallMlp.inputShape, 4, 4), { lr: 0.5, weightDecay: 0 }],
        [randomBatch(8, smallMlp.inputShape, 4, 5), { lr: 0.05, weightDecay: 0.01 }],
        [randomBatch(3, smallMlp.inputShape, 4, 6), { lr: 0.5, weightDecay: 0 }],
        [randomBatch(1, smallMlp.inputShape, 4, 7), { lr: 0.2, weightDecay: 0 }],
      ];
      await withModel(smallMlp, params, async (model) => {
        let expectedParams = params;
        for (const [i, [batch, hyper]] of steps.entries()) {
          const expected = referenceStep(smallMlp, expectedParams, batch, hyper);
          const stats = await model.trainStep(batch, hyper);
          expect(stats.lossSum, `step ${i}`).toBeCloseTo(expected.lossSum, 5);
          expect(stats.correct, `step ${i}`).toBe(expected.correct);
          // Continue from what the backend holds, so that float32 rounding does not accumulate in the comparison.
          expectedParams = await model.readParameters();
          expectParamsClose(expectedParams, expected.params, F32);
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
      const spec: ModelSpec = {
        layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: R, outFeatures: 3 }],
        inputShape: [R],
        numClasses: 3,
      };
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
      const expectedLosses = stableCrossEntropy(expectedLogits, batch.y, 3);
      await withModel(spec, params, async (model) => {
        expect(Array.from(await model.logits(batch))).toEqual(expectedLogits);
        const losses = await model.losses(batch);
        expect(losses.every(Number.isFinite)).toBe(true);
        expectClose(losses, expectedLosses, F32, 'losses');
        const hyper = { lr: 0.1, weightDecay: 0 };
        const expected = referenceStep(spec, params, batch, hyper);
        const stats = await model.trainStep(batch, hyper);
        expect(stats.lossSum).toBeCloseTo(numericSum(expectedLosses), 3);
        // argmax: the first of equal logits wins (as torch.argmax), so of the equal rows only label 0 counts.
        expect(stats.correct).toBe(expected.correct);
        const after = await model.readParameters();
        expect(after.every((p) => p.data.every(Number.isFinite))).toBe(true);
        expectParamsClose(after, expected.params, F32);
      });
    });

    it('trains Flatten, Linear(784, 256), ReLU, Linear(256, 10): the loss decreases on separable data', async () => {
      const spec: ModelSpec = {
        layers: [
          { kind: 'flatten' },
          { kind: 'linear', inFeatures: 784, outFeatures: 256 },
          { kind: 'relu' },
          { kind: 'linear', inFeatures: 256, outFeatures: 10 },
        ],
        inputShape: [1, 28, 28],
        numClasses: 10,
      };
      const batches = separableBatches(4, 32, spec.inputShape, 10, 8);
      const params = randomParams(spec.layers, 9, 0.05);
      await withModel(spec, params, async (model) => {
        const epochLoss: number[] = [];
        for (let epoch = 0; epoch < 4; epoch++) {
          let total = 0;
          for (const batch of batches) total += (await model.trainStep(batch, { lr: 0.1, weightDecay: 0 })).lossSum;
          epochLoss.push(total / (batches.length * 32));
        }
        epochLoss.slice(1).forEach((loss, e) => {
          expect(loss, `epoch ${e + 1} vs ${e}`).toBeLessThan(epochLoss[e] as number);
        });
        expect(epochLoss[0]).toBeGreaterThan((epochLoss.at(-1) as number) * 2);
        let correct = 0;
        for (const batch of batches) correct += (await model.evaluate(batch)).correct;
        expect(correct / (batches.length * 32)).toBeGreaterThan(0.9);
      });
    });

    it('keeps the tensor count flat over many steps and epochs, and dispose() returns to the baseline', async () => {
      const baseline = tensorCount();
      const model = await backend.compile(smallMlp, randomParams(smallMlp.layers, 10));
      const afterCompile = tensorCount();
      expect(afterCompile).toBeGreaterThan(baseline);
      const batches = [
        randomBatch(16, smallMlp.inputShape, 4, 11),
        randomBatch(16, smallMlp.inputShape, 4, 12),
        randomBatch(5, smallMlp.inputShape, 4, 13),
      ];
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
      await model.writeParameters(randomParams(smallMlp.layers, 14));
      expect(tensorCount()).toBe(steady);
      await model.dispose();
      expect(tensorCount()).toBe(baseline);
    });

    it('writes and reads parameters back exactly (PyTorch [out, in] layout)', async () => {
      const params = randomParams(smallMlp.layers, 15);
      await withModel(smallMlp, randomParams(smallMlp.layers, 16), async (model) => {
        await model.writeParameters(params);
        const read = await model.readParameters();
        expect(read.map((p) => [p.name, p.shape])).toEqual(params.map((p) => [p.name, p.shape]));
        read.forEach((p, i) => {
          expect(Array.from(p.data)).toEqual(Array.from((params[i] as ParameterTensor).data));
        });
      });
    });

    it('rejects bad batches, parameters and hyperparameters with errors that say what is wrong', async () => {
      await withModel(softmaxRegression, randomParams(softmaxRegression.layers, 17), async (model) => {
        const batch = randomBatch(4, softmaxRegression.inputShape, 4, 18);
        await expect(model.trainStep({ ...batch, sampleShape: [12] }, { lr: 0.1, weightDecay: 0 })).rejects.toThrow(
          /shape \[12\].*compiled for \[1,3,4\]/,
        );
        await expect(model.evaluate({ ...batch, y: Int32Array.of(0, 1, 4, 2) })).rejects.toThrow(
          /batch\.y\[2\] = 4 is not a class index in \[0, 3\]/,
        );
        await expect(model.logits({ ...batch, x: batch.x.subarray(1) })).rejects.toThrow(InvalidArgumentError);
        await expect(model.trainStep(batch, { lr: 0, weightDecay: 0 })).rejects.toThrow(/learning rate/);
        await expect(model.writeParameters([])).rejects.toThrow(/'1\.weight' is missing/);
        await expect(model.writeParameters(randomParams(smallMlp.layers, 1))).rejects.toThrow(/unexpected/);
      });
      await expect(backend.compile(softmaxRegression, randomParams(smallMlp.layers, 1))).rejects.toThrow(InvalidArgumentError);
      const disposed = await backend.compile(softmaxRegression, randomParams(softmaxRegression.layers, 19));
      await disposed.dispose();
      await expect(disposed.evaluate(randomBatch(2, softmaxRegression.inputShape, 4, 20))).rejects.toThrow(XBackendError);
    });
  });
}

function numericSum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s;
}

// Keep the import of tfjs-core used: the leak checks read its global engine.
void tf;
