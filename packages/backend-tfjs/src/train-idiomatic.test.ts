import { describeEachEngine, mlpSpec, randomParameters, updateError } from '@xbackend/conformance';
import { presetLayers, UnsupportedLayerError } from '@xbackend/core';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { adapter } from './adapter.js';
import type { TfjsEngineName } from './runtime.js';
import { fixedDataIter, separableBatches, tensorCount } from './test-helpers.js';
import { trainIdiomatic } from './train-idiomatic.js';

const spec = mlpSpec([4, 4], [12], 4);

function data() {
  // Three train batches, the last one partial; epoch e rotates their order.
  const train = separableBatches(3, 10, spec.inputShape, 4, 40);
  const last = train[2];
  if (last) train[2] = { ...last, x: last.x.subarray(0, 6 * 16), y: last.y.subarray(0, 6), size: 6 };
  return { trainIter: fixedDataIter(train, 4), testIter: fixedDataIter(separableBatches(2, 7, spec.inputShape, 4, 41), 4) };
}

/**
 * Keras applies weight decay as an L2 penalty in its loss, the adapter in its update: the same step up to float32
 * rounding. Relative to how far the weights moved over the run; worst measured 1.7e-7.
 */
const SAME_TRAINING = 1e-6;

describeEachEngine(adapter, 'trainIdiomatic (plain model.fitDataset)', (factory) => {
  const engine = factory.name as TfjsEngineName;
  let before = 0;
  beforeEach(() => {
    before = tensorCount();
  });
  afterEach(() => {
    expect(tensorCount(), 'tensors left behind').toBe(before);
  });

  it('model.fitDataset on the same batches, order and initial weights matches the adapter step by step', async () => {
    const { trainIter, testIter } = data();
    const initial = randomParameters(spec, 42);
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
    const backend = await factory.create({});
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
      expect(updateError(result.parameters, await model.readParameters(), initial)).toBeLessThanOrEqual(SAME_TRAINING);
    } finally {
      await backend.dispose();
    }
  });

  it('reports the same train loss as the adapter without weight decay', async () => {
    const { trainIter, testIter } = data();
    const initial = randomParameters(spec, 43);
    const result = await trainIdiomatic({ engine, trainIter, testIter, layers: spec.layers, initial, lr: 0.2, epochs: 2 });
    const backend = await factory.create({});
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
    const initial = randomParameters(spec, 44);
    await expect(trainIdiomatic({ engine, trainIter, testIter, layers: spec.layers, initial, lr: 0.1, epochs: 0 })).rejects.toThrow(
      /epochs must be a positive integer/,
    );
    await expect(trainIdiomatic({ engine, trainIter, testIter, layers: spec.layers, initial: [], lr: 0.1, epochs: 1 })).rejects.toThrow(
      /'1\.weight' \[12,16\] is missing/,
    );
  });

  it('refuses LeNet, naming its first convolution, before starting the engine', async () => {
    const images = separableBatches(1, 4, [1, 28, 28], 10, 45);
    const iter = fixedDataIter(images, 10);
    const layers = presetLayers('lenet', [1, 28, 28], 10);
    const lenet = { layers, inputShape: [1, 28, 28], numClasses: 10 };
    const attempt = trainIdiomatic({
      engine,
      trainIter: iter,
      testIter: iter,
      layers,
      initial: randomParameters(lenet, 46),
      lr: 0.9,
      epochs: 1,
    });
    await expect(attempt).rejects.toThrow(UnsupportedLayerError);
    await expect(attempt).rejects.toThrow(/layer 0 \(Conv2d\(1, 6, kernel 5×5.*Flatten, Linear and ReLU layers only/);
  });
});
