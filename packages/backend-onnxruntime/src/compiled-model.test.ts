import {
  type Backend,
  type Batch,
  type CompiledModel,
  type DType,
  type ModelSpec,
  numerics,
  type ParameterTensor,
  Rng,
} from '@xbackend/core';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuEngine } from './engines.js';
import { openSessionCount } from './ort.js';
import { hostForward, hostTrainStep, maxScaledError, mlp, randomBatch, randomParameters, softmaxRegression } from './test-helpers.js';

const backends: Backend[] = [];

async function compile(spec: ModelSpec, params: readonly ParameterTensor[], dtype: DType = 'float32'): Promise<CompiledModel> {
  const backend = await cpuEngine.create({ dtype, threads: 1 });
  backends.push(backend);
  return backend.compile(spec, params);
}

afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.dispose()));
});

/** Float32 storage rounds inputs and weights; the float64 graphs must match the host to rounding. */
const tolerance = { float64: { atol: 1e-12, rtol: 1e-10 }, float32: { atol: 1e-6, rtol: 2e-5 } } as const;

describe.each(['float64', 'float32'] as const)('onnxruntime/cpu %s', (dtype) => {
  const { atol, rtol } = tolerance[dtype];

  it.each([
    ['softmax regression', softmaxRegression],
    ['MLP (Flatten, Linear, ReLU, Linear)', mlp([1, 3, 4], 7, 5)],
  ])('one train step of %s equals a float64 host SGD step (lossSum, correct, every parameter)', async (_, spec) => {
    const params = randomParameters(spec, 1);
    const batch = randomBatch(spec, 9, 2);
    const hyper = { lr: 0.3, weightDecay: 0.05 };
    const expected = hostTrainStep(spec, params, batch, hyper);
    const model = await compile(spec, params, dtype);
    const stats = await model.trainStep(batch, hyper);
    expect(maxScaledError([stats.lossSum], [expected.lossSum], atol, rtol)).toBeLessThan(1);
    expect(stats.correct).toBe(expected.correct);
    const after = await model.readParameters();
    expect(after.map((p) => p.name)).toEqual(expected.params.map((p) => p.name));
    after.forEach((p, i) => {
      expect(p.data).toBeInstanceOf(dtype === 'float64' ? Float64Array : Float32Array);
      expect(maxScaledError(p.data, (expected.params[i] as ParameterTensor).data, atol, rtol)).toBeLessThan(1);
    });
  });

  it('runs full and partial batches through the same sessions, matching the host step by step', async () => {
    const spec = mlp([6], 5, 3);
    let host = randomParameters(spec, 3);
    const model = await compile(spec, host, dtype);
    const sessions = openSessionCount();
    for (const [k, size] of [8, 8, 3, 8, 1].entries()) {
      const batch = randomBatch(spec, size, 10 + k);
      const expected = hostTrainStep(spec, host, batch, { lr: 0.5, weightDecay: 0 });
      const stats = await model.trainStep(batch, { lr: 0.5, weightDecay: 0 });
      expect(maxScaledError([stats.lossSum], [expected.lossSum], atol * 10, rtol * 10)).toBeLessThan(1);
      expect(stats.correct).toBe(expected.correct);
      host = expected.params;
    }
    expect(openSessionCount()).toBe(sessions);
    const last = await model.readParameters();
    for (const [i, p] of last.entries())
      expect(maxScaledError(p.data, (host[i] as ParameterTensor).data, atol * 10, rtol * 10)).toBeLessThan(1);
  });

  it('evaluate, logits and losses match float64 host numerics and leave the parameters alone', async () => {
    const spec = mlp([1, 3, 4], 6, 5);
    const params = randomParameters(spec, 4, 2);
    const batch = randomBatch(spec, 7, 5);
    const model = await compile(spec, params, dtype);
    const { logits: hostLogits } = hostForward(spec, params, batch.x, batch.size);
    const logits = await model.logits(batch);
    expect(logits).toHaveLength(7 * 5);
    expect(maxScaledError(logits, hostLogits, atol, rtol)).toBeLessThan(1);
    const losses = await model.losses(batch);
    expect(losses).toBeInstanceOf(Float64Array);
    expect(maxScaledError(losses, numerics.crossEntropy(hostLogits, batch.y, 5), atol, rtol)).toBeLessThan(1);
    const stats = await model.evaluate(batch);
    expect(maxScaledError([stats.lossSum], [numerics.sum(numerics.crossEntropy(hostLogits, batch.y, 5))], atol, rtol)).toBeLessThan(1);
    expect(stats.correct).toBe(numerics.countCorrect(hostLogits, batch.y, 5));
    const unchanged = await model.readParameters();
    for (const [i, p] of unchanged.entries()) expect(Array.from(p.data)).toEqual(Array.from((params[i] as ParameterTensor).data));
  });

  it('keeps losses finite and exact for extreme logits (±1e4, ±3e38 from weights or inputs, equal rows)', async () => {
    const spec: ModelSpec = { layers: [{ kind: 'linear', inFeatures: 4, outFeatures: 3 }], inputShape: [4], numClasses: 3 };
    const big = Math.fround(3e38);
    // Example i has one non-zero input at pixel i, so logits[i, c] = weight[c, i] · x[i] exactly.
    const columns = [
      [1e4, -1e4, 0],
      [big, -big, 0],
      [2, 2, 2],
      [1, -1, 0],
    ];
    const weight = new Float64Array(12);
    for (const [i, col] of columns.entries()) for (const [c, v] of col.entries()) weight[c * 4 + i] = v;
    const params: ParameterTensor[] = [
      { name: '0.weight', shape: [3, 4], data: weight },
      { name: '0.bias', shape: [3], data: new Float64Array(3) },
    ];
    const x = new Float32Array(16);
    for (const [i, v] of [1, 1, 1, -big].entries()) x[i * 4 + i] = v;
    const batch: Batch = { x, y: Int32Array.from([1, 1, 0, 0]), size: 4, sampleShape: [4] };
    const expectedLogits = [1e4, -1e4, 0, big, -big, 0, 2, 2, 2, -big, big, 0];
    const expectedLosses = numerics.crossEntropy(expectedLogits, batch.y, 3);
    const model = await compile(spec, params, dtype);

    expect(Array.from(await model.logits(batch))).toEqual(expectedLogits);
    const losses = await model.losses(batch);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(maxScaledError(losses, expectedLosses, 1e-12, 1e-12)).toBeLessThan(1);
    expect(losses[2]).toBeCloseTo(Math.log(3), 12);
    const stats = await model.evaluate(batch);
    expect(stats.lossSum).toBe(numerics.sum(losses));
    expect(stats.correct).toBe(1); // only the equal row: the first index wins the tie and the label is 0
    const step = await model.trainStep(batch, { lr: 0.1, weightDecay: 0 });
    expect(step.lossSum).toBe(stats.lossSum);
    for (const p of await model.readParameters()) expect(p.data.every(Number.isFinite)).toBe(true);
  });
});

describe('onnxruntime/cpu model lifecycle', () => {
  it('trains the concise MLP (Flatten, Linear(784, 256), ReLU, Linear(256, 10)) on separable synthetic data', async () => {
    const spec = mlp([1, 28, 28], 256, 10);
    const rng = Rng.seeded(11, 'prototypes');
    const prototypes = Array.from({ length: 10 }, () => Float32Array.from({ length: 784 }, () => rng.uniform()));
    const batchOf = (seed: number, size: number): Batch => {
      const r = Rng.seeded(seed, 'mlp');
      const y = Int32Array.from({ length: size }, () => r.int(0, 9));
      const x = new Float32Array(size * 784);
      y.forEach((label, i) => {
        const proto = prototypes[label] as Float32Array;
        for (let k = 0; k < 784; k++) x[i * 784 + k] = Math.min(1, Math.max(0, (proto[k] as number) + 0.3 * (r.uniform() - 0.5)));
      });
      return { x, y, size, sampleShape: [1, 28, 28] };
    };
    const model = await compile(spec, randomParameters(spec, 12, 0.01));
    const test = batchOf(999, 200);
    const before = await model.evaluate(test);
    for (let step = 0; step < 30; step++) await model.trainStep(batchOf(step, 64), { lr: 0.1, weightDecay: 0 });
    const after = await model.evaluate(test);
    expect(after.lossSum).toBeLessThan(before.lossSum / 4);
    expect(after.correct / 200).toBeGreaterThan(0.95);
  });

  it('reads and writes parameters, and accepts batch views into a larger buffer', async () => {
    const spec = softmaxRegression;
    const model = await compile(spec, randomParameters(spec, 1));
    const replacement = randomParameters(spec, 2);
    await model.writeParameters(replacement);
    const read = await model.readParameters();
    for (const [i, p] of read.entries()) expect(Array.from(p.data)).toEqual(Array.from((replacement[i] as ParameterTensor).data));
    const batch = randomBatch(spec, 5, 3);
    const padded = new Float32Array(batch.x.length + 24);
    padded.set(batch.x, 24);
    const view: Batch = { ...batch, x: padded.subarray(24) };
    expect(Array.from(await model.logits(view))).toEqual(Array.from(await model.logits(batch)));
  });

  it('dispose releases both sessions; the model then refuses work with a clear error', async () => {
    const backend = await cpuEngine.create({});
    const start = openSessionCount();
    const a = await backend.compile(softmaxRegression, randomParameters(softmaxRegression, 1));
    const b = await backend.compile(softmaxRegression, randomParameters(softmaxRegression, 2));
    expect(openSessionCount()).toBe(start + 4);
    await a.dispose();
    expect(openSessionCount()).toBe(start + 2);
    await expect(a.trainStep(randomBatch(softmaxRegression, 2, 1), { lr: 0.1, weightDecay: 0 })).rejects.toThrow(/disposed/);
    await a.dispose(); // idempotent
    await backend.dispose(); // disposes b too
    expect(openSessionCount()).toBe(start);
    await expect(b.readParameters()).rejects.toThrow(/disposed/);
    await expect(backend.compile(softmaxRegression, randomParameters(softmaxRegression, 1))).rejects.toThrow(/disposed/);
  });

  it('serialises concurrent calls so steps never race on the parameter buffers', async () => {
    const spec = softmaxRegression;
    const params = randomParameters(spec, 5);
    const batches = [0, 1, 2, 3].map((k) => randomBatch(spec, 6, 20 + k));
    const sequential = await compile(spec, params);
    for (const batch of batches) await sequential.trainStep(batch, { lr: 0.2, weightDecay: 0 });
    const concurrent = await compile(spec, params);
    await Promise.all(batches.map((batch) => concurrent.trainStep(batch, { lr: 0.2, weightDecay: 0 })));
    const [p, q] = [await sequential.readParameters(), await concurrent.readParameters()];
    for (const [i, t] of p.entries()) expect(Array.from(t.data)).toEqual(Array.from((q[i] as ParameterTensor).data));
  });
});
