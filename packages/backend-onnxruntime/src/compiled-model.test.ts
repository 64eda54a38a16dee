import {
  maxRelativeError,
  mlpSpec,
  randomBatch,
  randomParameters,
  referenceForward,
  referenceStep,
  referenceTrajectory,
  relativeError,
  scaledError,
  softmaxSpec,
  updateError,
} from '@xbackend/conformance';
import { type Backend, type Batch, type CompiledModel, type DType, type ModelSpec, numerics, type ParameterTensor } from '@xbackend/core';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuEngine } from './engines.js';
import { openSessionCount } from './ort.js';

const softmaxRegression = softmaxSpec([1, 3, 4], 5);
const backends: Backend[] = [];

async function compile(spec: ModelSpec, params: readonly ParameterTensor[], dtype: DType = 'float32'): Promise<CompiledModel> {
  const backend = await cpuEngine.create({ dtype, threads: 1 });
  backends.push(backend);
  return backend.compile(spec, params);
}

afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.dispose()));
});

/**
 * Errors against the float64 oracle, relative to the scale of what is compared (an update: its size). float64 graphs
 * differ from the oracle by summation order only (worst measured 8.0e-16), float32 ones by float32 rounding (worst
 * measured 3.5e-7); each limit is 10× that, rounded down.
 */
const TOLERANCE: Readonly<Record<DType, number>> = { float64: 7e-15, float32: 3e-6 };

describe.each(['float64', 'float32'] as const)('onnxruntime/cpu %s', (dtype) => {
  const tolerance = TOLERANCE[dtype];

  it.each([
    ['softmax regression', softmaxRegression],
    ['MLP (Flatten, Linear, ReLU, Linear)', mlpSpec([1, 3, 4], [7], 5)],
  ])('one train step of %s equals a float64 SGD step (lossSum, correct, every parameter)', async (_, spec) => {
    const params = randomParameters(spec, 1, { dtype });
    const batch = randomBatch(spec, 9, 2);
    const hyper = { lr: 0.3, weightDecay: 0.05 };
    const expected = await referenceStep(spec, params, batch, hyper);
    const model = await compile(spec, params, dtype);
    const stats = await model.trainStep(batch, hyper);
    expect(relativeError(stats.lossSum, expected.lossSum)).toBeLessThanOrEqual(tolerance);
    expect(stats.correct).toBe(expected.correct);
    const after = await model.readParameters();
    for (const p of after) expect(p.data).toBeInstanceOf(dtype === 'float64' ? Float64Array : Float32Array);
    expect(updateError(after, expected.params, params)).toBeLessThanOrEqual(tolerance);
  });

  it('runs full and partial batches through the same sessions, matching the oracle step by step', async () => {
    const spec = mlpSpec([6], [5], 3);
    const params = randomParameters(spec, 3, { dtype });
    const steps = [8, 8, 3, 8, 1].map((size, k) => ({ batch: randomBatch(spec, size, 10 + k), hyper: { lr: 0.5, weightDecay: 0 } }));
    const expected = await referenceTrajectory(spec, params, steps);
    const model = await compile(spec, params, dtype);
    const sessions = openSessionCount();
    for (const [k, { batch, hyper }] of steps.entries()) {
      const stats = await model.trainStep(batch, hyper);
      const want = expected.stats[k];
      expect(relativeError(stats.lossSum, want?.lossSum ?? Number.NaN), `step ${k}`).toBeLessThanOrEqual(tolerance);
      expect(stats.correct, `step ${k}`).toBe(want?.correct);
    }
    expect(openSessionCount()).toBe(sessions);
    expect(updateError(await model.readParameters(), expected.params.at(-1) ?? [], params)).toBeLessThanOrEqual(tolerance);
  });

  it('evaluate, logits and losses match the oracle and leave the parameters alone', async () => {
    const spec = mlpSpec([1, 3, 4], [6], 5);
    const params = randomParameters(spec, 4, { std: 2, dtype });
    const batch = randomBatch(spec, 7, 5);
    const model = await compile(spec, params, dtype);
    const expected = await referenceForward(spec, params, batch);
    const logits = await model.logits(batch);
    expect(logits).toHaveLength(7 * 5);
    expect(scaledError(logits, expected.logits)).toBeLessThanOrEqual(tolerance);
    const losses = await model.losses(batch);
    expect(losses).toBeInstanceOf(Float64Array);
    expect(scaledError(losses, expected.losses)).toBeLessThanOrEqual(tolerance);
    const stats = await model.evaluate(batch);
    expect(relativeError(stats.lossSum, expected.lossSum)).toBeLessThanOrEqual(tolerance);
    expect(stats.correct).toBe(expected.correct);
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
    const weight = dtype === 'float64' ? new Float64Array(12) : new Float32Array(12);
    for (const [i, col] of columns.entries()) for (const [c, v] of col.entries()) weight[c * 4 + i] = v;
    const params: ParameterTensor[] = [
      { name: '0.weight', shape: [3, 4], data: weight },
      { name: '0.bias', shape: [3], data: dtype === 'float64' ? new Float64Array(3) : new Float32Array(3) },
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
    // The loss is computed in float64 from exactly representable logits: exact.
    expect(maxRelativeError(losses, expectedLosses)).toBe(0);
    expect(losses[2]).toBe(Math.log(3));
    const stats = await model.evaluate(batch);
    expect(stats.lossSum).toBe(numerics.sum(losses));
    expect(stats.correct).toBe(1); // only the equal row: the first index wins the tie and the label is 0
    const step = await model.trainStep(batch, { lr: 0.1, weightDecay: 0 });
    expect(step.lossSum).toBe(stats.lossSum);
    for (const p of await model.readParameters()) expect(p.data.every(Number.isFinite)).toBe(true);
  });
});

describe('onnxruntime/cpu model lifecycle', () => {
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
