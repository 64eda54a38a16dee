import {
  BackendUnavailableError,
  DivergenceError,
  type EpochMetrics,
  listBackends,
  loadBackend,
  Rng,
  SanityCheckError,
  trainCh3,
} from '@xbackend/core';
import { createDataIter, loadDataFashionMnist } from '@xbackend/datasets';
import { describe, expect, it } from 'vitest';

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

function data(batchSize = 32) {
  const train = quadrants(200, 1);
  const test = quadrants(64, 2);
  const common = { batchSize, sampleShape: [1, 4, 4], numClasses: 4 };
  return [
    createDataIter(train.images, train.labels, { ...common, shuffle: true, seed: 0 }),
    createDataIter(test.images, test.labels, common),
  ] as const;
}

async function train(backend: string, epochs: number, lr = 0.5, extra: Parameters<typeof trainCh3>[6] = {}) {
  const { nn, init, loss, optim } = await loadBackend(backend, { seed: 3 });
  const [trainIter, testIter] = data();
  const net = nn.Sequential(nn.Flatten(), nn.Linear(16, 4));
  net.apply(init.normal({ std: 0.01 }));
  const trainer = optim.SGD(net.parameters(), { lr });
  const result = await trainCh3(net, trainIter, testIter, loss.CrossEntropyLoss({ reduction: 'none' }), epochs, trainer, {
    log: false,
    sanityChecks: 'report',
    ...extra,
  });
  return { ...result, net };
}

describe('trainCh3 (d2l semantics, on the reference backend)', () => {
  it('reports per-example running averages and a test accuracy per epoch', async () => {
    const batches: number[] = [];
    const { history } = await train('reference/float64', 3, 0.5, {
      onEvent: (e) => {
        if (e.type === 'batch') batches.push(e.trainLoss);
      },
    });
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(batches).toHaveLength(3 * 7); // 200 examples in batches of 32: 6 full + 1 of 8
    const last = history.at(-1) as EpochMetrics;
    expect(last.trainLoss).toBeLessThan((history[0] as EpochMetrics).trainLoss);
    expect(last.trainAcc).toBeGreaterThan(0.9);
    expect(last.testAcc).toBeGreaterThan(0.9);
    // The epoch's train loss is the last running average, over all 200 examples.
    expect(batches[6]).toBeCloseTo((history[0] as EpochMetrics).trainLoss, 12);
  });

  it('is reproducible: the same seed gives the same history and weights', async () => {
    const [a, b] = [await train('reference/float32', 2), await train('reference/float32', 2)];
    expect(a.history.map(({ seconds, ...m }) => m)).toEqual(b.history.map(({ seconds, ...m }) => m));
    expect(await a.net.stateDict()).toEqual(await b.net.stateDict());
  });

  it('resumes from a history: epochs 1–2 then 3 equal epochs 1–3', async () => {
    const straight = await train('reference/float64', 3);
    const first = await train('reference/float64', 2);
    const { nn, loss, optim } = await loadBackend('reference/float64', { seed: 3 });
    const [trainIter, testIter] = data();
    const net = nn.Sequential(nn.Flatten(), nn.Linear(16, 4));
    await net.loadStateDict(await first.net.stateDict());
    const resumed = await trainCh3(
      net,
      trainIter,
      testIter,
      loss.CrossEntropyLoss({ reduction: 'none' }),
      3,
      optim.SGD(net.parameters(), { lr: 0.5 }),
      {
        log: false,
        sanityChecks: 'off',
        history: first.history,
      },
    );
    expect(resumed.history.map(({ seconds, ...m }) => m)).toEqual(straight.history.map(({ seconds, ...m }) => m));
    expect(await net.stateDict()).toEqual(await straight.net.stateDict());
  });

  it("reports d2l's sanity checks, and throws them by default", async () => {
    const { checks } = await train('reference/float64', 1, 1e-4);
    expect(checks.map((c) => [c.name, c.passed])).toEqual([
      ['train loss < 0.5', false],
      ['0.7 < train acc <= 1', expect.any(Boolean)],
      ['0.7 < test acc <= 1', expect.any(Boolean)],
    ]);
    await expect(train('reference/float64', 1, 1e-4, { sanityChecks: 'throw' })).rejects.toThrow(SanityCheckError);
    await expect(train('reference/float64', 1, 1e-4, { sanityChecks: 'throw' })).rejects.toThrow(
      /sanity checks failed:\n {2}- train loss < 0\.5 \(train loss 1\.3\d+\)/,
    );
  });

  it('stops at the first non-finite loss, naming the step and the learning rate', async () => {
    const { nn, init, loss, optim } = await loadBackend('reference/float32');
    const [trainIter, testIter] = await loadDataFashionMnist(256);
    const net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10)).apply(init.normal({ std: 0.01 }));
    const error = await trainCh3(net, trainIter, testIter, loss.CrossEntropyLoss(), 1, optim.SGD(net.parameters(), { lr: 1e38 }), {
      log: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as Error).message).toBe(
      'Training diverged: the loss is NaN at epoch 1, step 2 (lr 1e+38). Try a smaller learning rate (e.g. --lr 1e+37) or a smaller init std; no weights were saved from this step.',
    );
  });

  it('prints which backend and engine it trains on', async () => {
    const lines: string[] = [];
    await train('reference', 1, 0.5, { log: (line) => lines.push(line) });
    expect(lines[0]).toBe('training on reference/float32 (float32)');
    expect(lines[1]).toMatch(/^epoch 1: train loss \d\.\d{4}, train acc \d\.\d{4}, test acc \d\.\d{4} \(\d+\.\d\d s\)$/);
  });
});

describe('loadBackend', () => {
  it('reports the chosen engine and never switches backends', async () => {
    expect((await loadBackend('reference')).engine).toBe('float32');
    expect((await loadBackend('reference', { engine: 'float64' })).engine).toBe('float64');
    await expect(loadBackend('reference/float16')).rejects.toThrow(
      "Backend 'reference' has no engine 'float16'. Its engines: float32, float64.",
    );
    await expect(loadBackend('torch')).rejects.toThrow("Unknown backend 'torch'. Known backends: reference, onnxruntime, tfjs, gpujs.");
  });

  it('explains an unavailable engine', async () => {
    const tensorflow = (await listBackends()).find((s) => s.backend === 'tfjs' && s.engine === 'tensorflow');
    if (tensorflow?.available) return; // tfjs-node is installed here: nothing to explain
    const error = await loadBackend('tfjs/tensorflow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/^Backend 'tfjs' is not available\. Tried:\n {2}- tfjs\/tensorflow: .*tfjs-node/);
  });

  it('lists every backend and engine with its availability', async () => {
    const statuses = await listBackends();
    expect(statuses.map((s) => `${s.backend}/${s.engine}`)).toEqual(
      expect.arrayContaining([
        'reference/float32',
        'reference/float64',
        'onnxruntime/cpu',
        'onnxruntime/cuda',
        'tfjs/tensorflow',
        'tfjs/wasm',
        'tfjs/cpu',
      ]),
    );
    for (const s of statuses) expect(s.available || (s.reason?.length ?? 0) > 10).toBe(true);
  });
});
