import { maxRelativeError, referenceForward, referenceStep, scaledError } from '@xbackend/conformance';
import { type Batch, type ModelSpec, numerics, type ParameterTensor, Rng } from '@xbackend/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GpuJsBackend } from './gpujs-backend.js';
import { createEngine, describeEachMode, kernelTolerance } from './test-modes.js';

async function referenceLogits(spec: ModelSpec, params: readonly ParameterTensor[], batch: Batch): Promise<Float64Array> {
  return (await referenceForward(spec, params, batch)).logits;
}

/**
 * Logit rows set exactly: example i is one-hot on input feature k, and column k of the weight holds row k,
 * so its logits are that row (every other product is 0). Classes 0..3.
 */
const ROWS = [
  [1e4, -1e4, 0, 5e3],
  [3e38, -3e38, 0, 1e38],
  [7, 7, 7, 7],
  [-3e38, -3e38, -3e38, -3e38],
  [3e38, 3e38, -3e38, -3e38],
] as const;

const rowsSpec: ModelSpec = {
  layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: ROWS.length, outFeatures: 4 }],
  inputShape: [ROWS.length],
  numClasses: 4,
};

function rowParameters(): ParameterTensor[] {
  const weight = new Float32Array(4 * ROWS.length);
  ROWS.forEach((row, k) => {
    row.forEach((v, o) => {
      weight[o * ROWS.length + k] = v;
    });
  });
  return [
    { name: '1.weight', shape: [4, ROWS.length], data: weight },
    { name: '1.bias', shape: [4], data: new Float32Array(4) },
  ];
}

/** Examples as (row, label) pairs. */
function rowBatch(examples: readonly (readonly [number, number])[]): Batch {
  const x = new Float32Array(examples.length * ROWS.length);
  examples.forEach(([row], i) => {
    x[i * ROWS.length + row] = 1;
  });
  return { x, y: Int32Array.from(examples, ([, label]) => label), size: examples.length, sampleShape: [ROWS.length] };
}

describeEachMode('numerics', (mode) => {
  const u = kernelTolerance(mode);
  let backend: GpuJsBackend;
  beforeAll(async () => {
    backend = await createEngine(mode);
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  it('logits and losses are finite and correct for extreme logits (±1e4, ±3e38, equal rows)', async () => {
    // Losses up to 3e38; a loss beyond float32's range (label -3e38 under a 3e38 max: 6e38) cannot be stored in float32.
    const examples = [
      [0, 0],
      [0, 1],
      [0, 3],
      [1, 0],
      [1, 2],
      [1, 3],
      [2, 0],
      [2, 3],
      [3, 1],
      [4, 0],
      [4, 1],
    ] as const;
    const params = rowParameters();
    const batch = rowBatch(examples);
    const model = await backend.compile(rowsSpec, params);
    const logits = await model.logits(batch);
    const expectedLogits = await referenceLogits(rowsSpec, params, batch);
    expect(logits.every(Number.isFinite)).toBe(true);
    expect(maxRelativeError(logits, expectedLogits)).toBeLessThanOrEqual(u);
    const losses = await model.losses(batch);
    const expectedLosses = numerics.crossEntropy(expectedLogits, batch.y, 4);
    expect(losses.every(Number.isFinite)).toBe(true);
    // Relative to each loss, or to 1 below that: losses range from 0 to 3e38.
    expect(maxRelativeError(losses, expectedLosses, 1)).toBeLessThanOrEqual(u);
    expect(losses[6]).toBeCloseTo(Math.log(4), 6); // equal row
    expect(losses[4]).toBe(Math.fround(3e38)); // 3e38 above the label's 0
    // Ties go to the first index, as torch.argmax: (2, 0) and (4, 0) are hits, (3, 1) and (4, 1) are not.
    // (Only the count: the loss sum of these examples, ~8e38, is beyond float32.)
    expect((await model.evaluate(batch)).correct).toBe(numerics.countCorrect(expectedLogits, batch.y, 4));
    expect(numerics.countCorrect(expectedLogits, batch.y, 4)).toBe(4);
    await model.dispose();
  });

  it('a train step on extreme logits stays finite and equals the float64 step', async () => {
    const params = rowParameters();
    const batch = rowBatch([
      [0, 0],
      [0, 1],
      [1, 0],
      [2, 2],
      [3, 1],
      [4, 1],
    ]);
    const hyper = { lr: 0.1, weightDecay: 0.01 };
    const expected = await referenceStep(rowsSpec, params, batch, hyper);
    const model = await backend.compile(rowsSpec, params);
    const stats = await model.trainStep(batch, hyper);
    expect(Number.isFinite(stats.lossSum)).toBe(true);
    expect(Math.abs(stats.lossSum - expected.lossSum)).toBeLessThanOrEqual(u * (expected.lossSum + batch.size));
    expect(stats.correct).toBe(expected.correct);
    const after = await model.readParameters();
    after.forEach((p, i) => {
      expect(p.data.every(Number.isFinite)).toBe(true);
      expect(maxRelativeError(p.data, (expected.params[i] as ParameterTensor).data, 1), p.name).toBeLessThanOrEqual(u);
    });
    await model.dispose();
  });

  it('784-term dot products are compensated: logits within float32 tolerance where a plain float32 sum is not', async () => {
    const spec: ModelSpec = {
      layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 784, outFeatures: 3 }],
      inputShape: [784],
      numClasses: 3,
    };
    const rng = Rng.seeded(21);
    // One large term, then 783 small positive ones that a plain float32 running sum rounds away one by one.
    const weight = Float32Array.from({ length: 3 * 784 }, (_, i) =>
      i % 784 === 0 ? 1e4 * (1 + Math.floor(i / 784)) : Math.fround(1e-3 * rng.uniform()),
    );
    const params: ParameterTensor[] = [
      { name: '1.weight', shape: [3, 784], data: weight },
      { name: '1.bias', shape: [3], data: new Float32Array(3) },
    ];
    const x = Float32Array.from({ length: 4 * 784 }, (_, i) => (i % 784 === 0 ? 1 : Math.fround(rng.uniform())));
    const batch: Batch = { x, y: new Int32Array(4), size: 4, sampleShape: [784] };
    const expected = await referenceLogits(spec, params, batch);
    const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    let plainError = 0;
    for (let r = 0; r < 4; r++) {
      for (let o = 0; o < 3; o++) {
        let s = 0;
        for (let k = 0; k < 784; k++) s = Math.fround(s + Math.fround((x[r * 784 + k] as number) * (weight[o * 784 + k] as number)));
        plainError = Math.max(plainError, Math.abs(s - (expected[r * 3 + o] as number)));
      }
    }
    expect(plainError).toBeGreaterThan(u * scale); // the data really needs compensation
    const model = await backend.compile(spec, params);
    expect(scaledError(await model.logits(batch), expected, scale)).toBeLessThanOrEqual(u);
    await model.dispose();
  });

  it('partial sums over interleaved terms keep their compensation when they cancel (+1e4 at k = 0, -1e4 at k = 1)', async () => {
    // Kernels may add every other term into separate partial sums (summation.ts): here they end near +1e4 and -1e4,
    // and the small terms they lost to rounding live only in their compensations, which must reach the result.
    const spec: ModelSpec = {
      layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 784, outFeatures: 2 }],
      inputShape: [784],
      numClasses: 2,
    };
    const rng = Rng.seeded(22);
    const weight = Float32Array.from({ length: 2 * 784 }, (_, i) => {
      const k = i % 784;
      if (k < 2) return k === 0 ? 1e4 : -1e4;
      return Math.fround(1e-3 * rng.uniform());
    });
    const params: ParameterTensor[] = [
      { name: '1.weight', shape: [2, 784], data: weight },
      { name: '1.bias', shape: [2], data: new Float32Array(2) },
    ];
    const batch: Batch = { x: new Float32Array(3 * 784).fill(1), y: new Int32Array(3), size: 3, sampleShape: [784] };
    const expected = await referenceLogits(spec, params, batch);
    const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const model = await backend.compile(spec, params);
    expect(scaledError(await model.logits(batch), expected, scale)).toBeLessThanOrEqual(u);
    await model.dispose();
  });

  it('the batch loss sum is compensated: one large loss plus 199 small ones', async () => {
    const examples: [number, number][] = [[0, 1], ...Array.from({ length: 199 }, (): [number, number] => [2, 0])];
    const params = rowParameters();
    const batch = rowBatch(examples);
    const perExample = numerics.crossEntropy(await referenceLogits(rowsSpec, params, batch), batch.y, 4);
    const expected = numerics.sum(perExample);
    let plain = 0;
    for (const loss of perExample) plain = Math.fround(plain + Math.fround(loss));
    expect(Math.abs(plain - expected)).toBeGreaterThan(u * expected);
    const model = await backend.compile(rowsSpec, params);
    const stats = await model.evaluate(batch);
    expect(Math.abs(stats.lossSum - expected)).toBeLessThanOrEqual(u * expected);
    await model.dispose();
  });
});
