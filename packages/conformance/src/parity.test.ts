import { evaluateAccuracy, type LoadedBackend, type Module, numerics, trainEpochCh3 } from '@xbackend/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Architecture, buildNet, fashionMnist, firstBatch, flatParameters, load, maxAbsDiff, maxRelDiff } from './harness.js';
import { discoverTargets, ORACLE, requiredTargets } from './targets.js';
import { toleranceFor } from './tolerances.js';

const { available, unavailable } = await discoverTargets();

describe('backends this suite must cover', () => {
  it.each(requiredTargets())('%s is available', (target) => {
    const status = unavailable.find(
      (s) => `${s.backend}/${s.engine}` === target || (s.engine === '*' && target.startsWith(`${s.backend}/`)),
    );
    expect(status?.reason ?? 'available', `${target} is unavailable`).toBe('available');
  });
});

describe.each(available)('%s against the float64 reference', (target) => {
  const tol = toleranceFor(target);
  let backend: LoadedBackend;
  let oracle: LoadedBackend;
  const nets: Module[] = [];
  const net = (b: LoadedBackend, a: Architecture) => {
    const m = buildNet(b, a);
    nets.push(m);
    return m;
  };

  beforeAll(async () => {
    [backend, oracle] = [await load(target), await load(ORACLE)];
  });
  afterAll(async () => {
    for (const m of nets) await m.dispose();
    await backend.dispose();
    await oracle.dispose();
  });

  it.each(['softmax', 'mlp'] as const)('starts from bit-identical weights (%s)', async (architecture) => {
    const [train] = await fashionMnist();
    const batch = firstBatch(train);
    const [a, b] = [net(backend, architecture), net(oracle, architecture)];
    await Promise.all([a.forward(batch), b.forward(batch)]); // compile: weights are now on the device
    const [wa, wb] = [flatParameters(await a.stateDict()), flatParameters(await b.stateDict())];
    expect(maxAbsDiff(wa, wb)).toBe(0);
  });

  it.each(['softmax', 'mlp'] as const)('gives the same logits and per-example losses on a fixed batch (%s)', async (architecture) => {
    const [, test] = await fashionMnist();
    const batch = firstBatch(test);
    const [a, b] = [net(backend, architecture), net(oracle, architecture)];
    expect(maxAbsDiff(await a.forward(batch), await b.forward(batch))).toBeLessThanOrEqual(tol.logitsAbs);
    expect(maxRelDiff(await a.losses(batch), await b.losses(batch))).toBeLessThanOrEqual(tol.lossRel);
    const [sa, sb] = [await a.evaluate(batch), await b.evaluate(batch)];
    expect(Math.abs(sa.lossSum - sb.lossSum) / sb.lossSum).toBeLessThanOrEqual(tol.lossRel);
    expect(sa.correct).toBe(sb.correct);
  });

  it.each(['softmax', 'mlp'] as const)('takes the same SGD step, with weight decay (%s)', async (architecture) => {
    const [train] = await fashionMnist();
    const batch = firstBatch(train);
    const [a, b] = [net(backend, architecture), net(oracle, architecture)];
    const hyper = { lr: 0.1, weightDecay: 1e-3 };
    const [sa, sb] = [await a.trainStep(batch, hyper), await b.trainStep(batch, hyper)];
    expect(Math.abs(sa.lossSum - sb.lossSum) / sb.lossSum).toBeLessThanOrEqual(tol.lossRel);
    expect(sa.correct).toBe(sb.correct);
    expect(maxAbsDiff(flatParameters(await a.stateDict()), flatParameters(await b.stateDict()))).toBeLessThanOrEqual(tol.stepWeightsAbs);
  });

  it('follows the same train-loss curve over one epoch', async () => {
    const [train] = await fashionMnist();
    const curve = async (b: LoadedBackend) => {
      const m = net(b, 'softmax');
      const losses: number[] = [];
      const sgd = b.optim.SGD(m.parameters(), { lr: 0.1 });
      await trainEpochCh3(m, train, b.loss.CrossEntropyLoss({ reduction: 'none' }), sgd, 0, (e) => {
        if (e.type === 'batch') losses.push(e.trainLoss);
      });
      return losses;
    };
    const [ca, cb] = [await curve(backend), await curve(oracle)];
    expect(ca).toHaveLength(train.numBatches);
    expect(maxRelDiff(ca, cb)).toBeLessThanOrEqual(tol.epochLossRel);
  });

  it('evaluates weights trained on the other backend to the same test accuracy (train on A, evaluate on B)', async () => {
    const [train, test] = await fashionMnist();
    const trainOneEpoch = async (b: LoadedBackend) => {
      const m = net(b, 'softmax');
      await trainEpochCh3(m, train, b.loss.CrossEntropyLoss(), b.optim.SGD(m.parameters(), { lr: 0.1 }), 0);
      return m;
    };
    const [trainedHere, trainedByOracle] = [await trainOneEpoch(backend), await trainOneEpoch(oracle)];
    const [hereOnOracle, oracleHere] = [net(oracle, 'softmax'), net(backend, 'softmax')];
    await hereOnOracle.loadStateDict(await trainedHere.stateDict());
    await oracleHere.loadStateDict(await trainedByOracle.stateDict());
    const accuracy = async (m: Module) => evaluateAccuracy(m, test);
    expect(Math.abs((await accuracy(hereOnOracle)) - (await accuracy(trainedHere)))).toBeLessThanOrEqual(tol.finalTestAcc);
    expect(Math.abs((await accuracy(oracleHere)) - (await accuracy(trainedByOracle)))).toBeLessThanOrEqual(tol.finalTestAcc);
  });

  describe('extreme logits stay finite and exact', () => {
    // Zero weights and these biases make the logits equal the biases for every image.
    const rows: [string, number[], number][] = [
      ['±1e4', [1e4, -1e4, 0, 0, 0, 0, 0, 0, 0, 5e3], 2],
      ['±3e38, label at the max', [3e38, -3e38, 0, 0, 0, 0, 0, 0, 0, 1], 0],
      ['±3e38, label at 0', [3e38, -3e38, 0, 0, 0, 0, 0, 0, 0, 1], 2],
      ['equal rows of 3e38', new Array(10).fill(3e38), 4],
      ['equal rows of -3e38', new Array(10).fill(-3e38), 7],
      ['equal rows of 0', new Array(10).fill(0), 9],
    ];
    it.each(rows)('%s', async (_, bias, label) => {
      const [, test] = await fashionMnist();
      const full = firstBatch(test);
      const batch = { ...full, size: 4, x: full.x.subarray(0, 4 * 784), y: new Int32Array(4).fill(label) };
      const m = net(backend, 'softmax');
      await m.loadStateDict([
        { name: '1.weight', shape: [10, 784], data: new Float32Array(7840) },
        { name: '1.bias', shape: [10], data: Float32Array.from(bias) },
      ]);
      // The biases are stored as float32: 3e38 becomes 3.0000000054977558e38.
      const expected = numerics.crossEntropy(Float32Array.from(bias), [label], 10)[0] as number;
      const losses = await m.losses(batch);
      for (const loss of losses) {
        expect(Number.isFinite(loss)).toBe(true);
        expect(Math.abs(loss - expected)).toBeLessThanOrEqual(Math.max(tol.lossRel * Math.abs(expected), 1e-6));
      }
      // One example: a float32 sum of four losses of 3e38 would itself overflow.
      const stats = await m.trainStep(
        { ...batch, size: 1, x: batch.x.subarray(0, 784), y: batch.y.subarray(0, 1) },
        { lr: 1e-3, weightDecay: 0 },
      );
      expect(Number.isFinite(stats.lossSum)).toBe(true);
      for (const v of flatParameters(await m.stateDict())) expect(Number.isFinite(v)).toBe(true);
    });
  });
});
