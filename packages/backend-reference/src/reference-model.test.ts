import { type Batch, type LayerSpec, type ModelSpec, numerics, type ParameterTensor, parameterShapes, Rng } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { adapter } from './adapter.js';
import { ReferenceModel } from './reference-model.js';

const mlp: ModelSpec = {
  layers: [
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 12, outFeatures: 7 },
    { kind: 'relu' },
    { kind: 'linear', inFeatures: 7, outFeatures: 4 },
  ],
  inputShape: [1, 3, 4],
  numClasses: 4,
};

function randomParams(layers: readonly LayerSpec[], seed: number, scale = 0.5): ParameterTensor[] {
  const rng = Rng.seeded(seed);
  return parameterShapes(layers).map(({ name, shape }) => ({
    name,
    shape,
    data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal()),
  }));
}

function randomBatch(size: number, seed: number): Batch {
  const rng = Rng.seeded(seed);
  return {
    x: Float32Array.from({ length: size * 12 }, () => rng.uniform()),
    y: Int32Array.from({ length: size }, () => rng.int(0, 3)),
    size,
    sampleShape: [1, 3, 4],
  };
}

async function meanLoss(params: ParameterTensor[], batch: Batch): Promise<number> {
  const model = new ReferenceModel(mlp, 'float64', params);
  return numerics.sum(await model.losses(batch)) / batch.size;
}

describe('reference backend', () => {
  it('matches central finite differences of the mean loss in float64 (one SGD step reveals the gradient)', async () => {
    const params = randomParams(mlp.layers, 1);
    const batch = randomBatch(5, 2);
    const lr = 1;
    const model = new ReferenceModel(mlp, 'float64', params);
    await model.trainStep(batch, { lr, weightDecay: 0 });
    const after = await model.readParameters();
    const h = 1e-6;
    for (const [k, p] of params.entries()) {
      for (let i = 0; i < p.data.length; i += 3) {
        const plus = params.map((q) => ({ ...q, data: q.data.slice() }));
        const minus = params.map((q) => ({ ...q, data: q.data.slice() }));
        (plus[k] as ParameterTensor).data[i] = (p.data[i] as number) + h;
        (minus[k] as ParameterTensor).data[i] = (p.data[i] as number) - h;
        const numeric = ((await meanLoss(plus, batch)) - (await meanLoss(minus, batch))) / (2 * h);
        const analytic = ((p.data[i] as number) - ((after[k] as ParameterTensor).data[i] as number)) / lr;
        expect(analytic).toBeCloseTo(numeric, 6);
      }
    }
  });

  it('returns the loss sum and correct count of the forward pass before the update', async () => {
    const params = randomParams(mlp.layers, 3);
    const batch = randomBatch(9, 4);
    const model = new ReferenceModel(mlp, 'float64', params);
    const logits = await model.logits(batch);
    const expectedLoss = numerics.sum(numerics.crossEntropy(logits, batch.y, 4));
    const expectedCorrect = numerics.countCorrect(logits, batch.y, 4);
    const stats = await model.trainStep(batch, { lr: 0.1, weightDecay: 0 });
    expect(stats.lossSum).toBeCloseTo(expectedLoss, 12);
    expect(stats.correct).toBe(expectedCorrect);
    expect(await model.evaluate(batch)).not.toEqual(stats); // the weights changed
  });

  it('applies weight decay as w ← w − lr·(g + wd·w)', async () => {
    const params = randomParams(mlp.layers, 5);
    const batch = randomBatch(6, 6);
    const plain = new ReferenceModel(mlp, 'float64', params);
    const decayed = new ReferenceModel(mlp, 'float64', params);
    await plain.trainStep(batch, { lr: 0.1, weightDecay: 0 });
    await decayed.trainStep(batch, { lr: 0.1, weightDecay: 0.5 });
    const [a, b] = [await plain.readParameters(), await decayed.readParameters()];
    for (const [k, p] of params.entries()) {
      for (const [i, w] of p.data.entries()) {
        expect((b[k] as ParameterTensor).data[i]).toBeCloseTo(((a[k] as ParameterTensor).data[i] as number) - 0.1 * 0.5 * w, 12);
      }
    }
  });

  it('agrees between float32 and float64 to float32 precision', async () => {
    const params = randomParams(mlp.layers, 7);
    const batch = randomBatch(8, 8);
    const f32 = new ReferenceModel(mlp, 'float32', params);
    const f64 = new ReferenceModel(mlp, 'float64', params);
    const [l32, l64] = [await f32.logits(batch), await f64.logits(batch)];
    expect(l32).toBeInstanceOf(Float32Array);
    for (const [i, v] of l64.entries()) expect(l32[i]).toBeCloseTo(v, 5);
  });

  it('rejects mismatched parameters and use after dispose', async () => {
    const params = randomParams(mlp.layers, 9);
    expect(() => new ReferenceModel(mlp, 'float32', params.slice(1))).toThrow('Expected 4 parameters, got 3.');
    const model = new ReferenceModel(mlp, 'float32', params);
    await expect(model.logits({ ...randomBatch(2, 1), x: new Float32Array(10) })).rejects.toThrow(
      'The batch has 5 values per example; the model expects 12.',
    );
    await model.dispose();
    await expect(model.readParameters()).rejects.toThrow('This reference model was disposed');
  });

  it('offers float32 and float64 engines and refuses a mismatched dtype', async () => {
    expect(adapter.engines.map((e) => e.name)).toEqual(['float32', 'float64']);
    await expect(adapter.engines[0]?.create({ dtype: 'float64' })).rejects.toThrow(
      'reference/float32 computes in float32; for float64 use reference/float64.',
    );
  });
});
