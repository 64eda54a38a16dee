import type { ModelSpec } from '@xbackend/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createEngine,
  ENGINE_NAMES,
  engineUnavailable,
  expectParamsClose,
  fixedDataIter,
  randomParams,
  separableBatches,
  tensorCount,
} from './test-helpers.js';
import { trainIdiomatic } from './train-idiomatic.js';

const spec: ModelSpec = {
  layers: [
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 16, outFeatures: 12 },
    { kind: 'relu' },
    { kind: 'linear', inFeatures: 12, outFeatures: 4 },
  ],
  inputShape: [4, 4],
  numClasses: 4,
};

function data() {
  // Three train batches, the last one partial; epoch e rotates their order.
  const train = separableBatches(3, 10, spec.inputShape, 4, 40);
  const last = train[2];
  if (last) train[2] = { ...last, x: last.x.subarray(0, 6 * 16), y: last.y.subarray(0, 6), size: 6 };
  return { trainIter: fixedDataIter(train, 4), testIter: fixedDataIter(separableBatches(2, 7, spec.inputShape, 4, 41), 4) };
}

for (const engine of ENGINE_NAMES) {
  const unavailable = await engineUnavailable(engine);
  describe.skipIf(unavailable !== undefined)(`trainIdiomatic on tfjs/${engine}${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
    let before = 0;
    beforeEach(() => {
      before = tensorCount();
    });
    afterEach(() => {
      expect(tensorCount(), 'tensors left behind').toBe(before);
    });

    it('model.fitDataset on the same batches, order and initial weights matches the adapter step by step', async () => {
      const { trainIter, testIter } = data();
      const initial = randomParams(spec.layers, 42);
      const lr = 0.3;
      const weightDecay = 0.02;
      const epochs = 3;
      const seen: number[] = [];
      const result = await trainIdiomatic({
        engine,
        trainIter,
        testIter,
        layers: spec.layers,
        initial,
        lr,
        weightDecay,
        epochs,
        onEpoch: (m) => seen.push(m.epoch),
      });
      expect(result.engine).toBe(engine);
      expect(seen).toEqual([0, 1, 2]);

      // The same run through the adapter (d2l metrics: per-example averages while the weights change).
      const backend = await createEngine(engine);
      try {
        const model = await backend.compile(spec, initial);
        for (let epoch = 0; epoch < epochs; epoch++) {
          let lossSum = 0;
          let correct = 0;
          let n = 0;
          for (const batch of trainIter.epoch(epoch)) {
            const stats = await model.trainStep(batch, { lr, weightDecay });
            lossSum += stats.lossSum;
            correct += stats.correct;
            n += batch.size;
          }
          let testCorrect = 0;
          let testN = 0;
          for (const batch of testIter.epoch(0)) {
            testCorrect += (await model.evaluate(batch)).correct;
            testN += batch.size;
          }
          const metrics = result.epochs[epoch];
          // Keras reports the loss with the L2 penalty (its weight decay), so only accuracy compares exactly here.
          expect(metrics?.trainAcc).toBeCloseTo(correct / n, 6);
          expect(metrics?.testAcc).toBeCloseTo(testCorrect / testN, 6);
          expect(metrics?.trainLoss).toBeGreaterThanOrEqual(lossSum / n - 1e-6);
          expect(metrics?.trainMs).toBeGreaterThan(0);
          expect(metrics?.evalMs).toBeGreaterThan(0);
        }
        expectParamsClose(result.parameters, await model.readParameters(), { abs: 1e-5, rel: 1e-4 });
      } finally {
        await backend.dispose();
      }
    });

    it('reports the same train loss as the adapter without weight decay', async () => {
      const { trainIter, testIter } = data();
      const initial = randomParams(spec.layers, 43);
      const result = await trainIdiomatic({ engine, trainIter, testIter, layers: spec.layers, initial, lr: 0.2, epochs: 2 });
      const backend = await createEngine(engine);
      try {
        const model = await backend.compile(spec, initial);
        for (let epoch = 0; epoch < 2; epoch++) {
          let lossSum = 0;
          let n = 0;
          for (const batch of trainIter.epoch(epoch)) {
            lossSum += (await model.trainStep(batch, { lr: 0.2, weightDecay: 0 })).lossSum;
            n += batch.size;
          }
          expect(result.epochs[epoch]?.trainLoss).toBeCloseTo(lossSum / n, 5);
        }
      } finally {
        await backend.dispose();
      }
    });

    it('rejects bad options', async () => {
      const { trainIter, testIter } = data();
      const initial = randomParams(spec.layers, 44);
      await expect(trainIdiomatic({ engine, trainIter, testIter, layers: spec.layers, initial, lr: 0.1, epochs: 0 })).rejects.toThrow(
        /epochs must be a positive integer/,
      );
      await expect(trainIdiomatic({ engine, trainIter, testIter, layers: spec.layers, initial: [], lr: 0.1, epochs: 1 })).rejects.toThrow(
        /'1\.weight' is missing/,
      );
    });
  });
}
