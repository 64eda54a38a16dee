/** d2l's training loop (trainCh3) on one engine: metrics as the book defines them, reproducible and resumable. */
import { type EpochMetrics, type ParameterTensor, Rng, type TrainOptions, trainCh3 } from '@xbackend/core';
import { createDataIter } from '@xbackend/datasets';
import { expect, it } from 'vitest';
import { type EngineRef, withEngine } from './engine-ref.js';

/** A small separable problem: 4×4 images whose class is the brightest quadrant (4 classes). */
function quadrants(count: number, seed: number) {
  const rng = Rng.seeded(seed);
  const images = new Uint8Array(count * 16);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = rng.int(0, 3);
    labels[i] = label;
    for (let p = 0; p < 16; p++) {
      const quadrant = (Math.floor(p / 8) << 1) | (p % 4 >= 2 ? 1 : 0);
      images[i * 16 + p] = quadrant === label ? 150 + rng.int(0, 100) : rng.int(0, 120);
    }
  }
  return { images, labels };
}

/** 200 training examples in batches of 32 (6 full, the last of 8), 64 test examples. */
export function quadrantData() {
  const train = quadrants(200, 1);
  const test = quadrants(64, 2);
  const common = { batchSize: 32, sampleShape: [1, 4, 4], numClasses: 4 };
  return [
    createDataIter(train.images, train.labels, { ...common, shuffle: true, seed: 0 }),
    createDataIter(test.images, test.labels, common),
  ] as const;
}

const withoutTime = (history: readonly EpochMetrics[]) => history.map(({ seconds, ...m }) => m);

/** Trains Flatten, Linear(16, 4) with trainCh3; `history` resumes from earlier epochs' metrics and `weights`. */
function trainQuadrants(ref: EngineRef, epochs: number, options: TrainOptions = {}, weights?: readonly ParameterTensor[]) {
  return withEngine(ref, 3, async ({ nn, init, loss, optim }) => {
    const [trainIter, testIter] = quadrantData();
    const net = nn.Sequential(nn.Flatten(), nn.Linear(16, 4)).apply(init.normal({ std: 0.01 }));
    if (weights) await net.loadStateDict(weights);
    const result = await trainCh3(
      net,
      trainIter,
      testIter,
      loss.CrossEntropyLoss({ reduction: 'none' }),
      epochs,
      optim.SGD(net.parameters(), { lr: 0.5 }),
      {
        log: false,
        sanityChecks: 'off',
        ...options,
      },
    );
    return { history: result.history, weights: await net.stateDict() };
  });
}

/** Registers the train-loop tests for one engine (inside describeBackend). */
export function trainLoopTests(ref: EngineRef): void {
  it('reports per-example running averages and a test accuracy per epoch, and learns a separable problem', async () => {
    const batches: number[] = [];
    const { history } = await trainQuadrants(ref, 3, {
      onEvent: (e) => {
        if (e.type === 'batch') batches.push(e.trainLoss);
      },
    });
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(batches).toHaveLength(3 * 7);
    const [first, , last] = history as [EpochMetrics, EpochMetrics, EpochMetrics];
    // The epoch's train loss is the last running average, over all 200 examples.
    expect(batches[6]).toBe(first.trainLoss);
    expect(last.trainLoss).toBeLessThan(first.trainLoss);
    expect(last.trainAcc).toBeGreaterThan(0.9);
    expect(last.testAcc).toBeGreaterThan(0.9);
  });

  it('is reproducible: the same seed gives the same history and weights', async () => {
    const [a, b] = [await trainQuadrants(ref, 2), await trainQuadrants(ref, 2)];
    expect(withoutTime(a.history)).toEqual(withoutTime(b.history));
    expect(a.weights).toEqual(b.weights);
  });

  it('resumes exactly: epochs 1–2, then epoch 3 from their weights and history, equal epochs 1–3', async () => {
    const straight = await trainQuadrants(ref, 3);
    const first = await trainQuadrants(ref, 2);
    const resumed = await trainQuadrants(ref, 3, { history: first.history }, first.weights);
    expect(withoutTime(resumed.history)).toEqual(withoutTime(straight.history));
    expect(resumed.weights).toEqual(straight.weights);
  });
}
