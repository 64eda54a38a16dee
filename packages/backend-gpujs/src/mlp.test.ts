import { type Batch, type ModelSpec, normal, Rng } from '@xbackend/core';
import { expect, it } from 'vitest';
import { createEngine, describeEachMode } from './test-modes.js';

const mlp: ModelSpec = {
  layers: [
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 784, outFeatures: 256 },
    { kind: 'relu' },
    { kind: 'linear', inFeatures: 256, outFeatures: 10 },
  ],
  inputShape: [1, 28, 28],
  numClasses: 10,
};

/** Ten random "class templates"; an example is its template with pixel noise, clipped to [0, 1]. */
function templateData(rng: Rng): (size: number) => Batch {
  const templates = Array.from({ length: 10 }, () => Float32Array.from({ length: 784 }, () => (rng.uniform() < 0.3 ? 1 : 0)));
  return (size) => {
    const y = Int32Array.from({ length: size }, () => rng.int(0, 9));
    const x = new Float32Array(size * 784);
    y.forEach((label, i) => {
      const template = templates[label] as Float32Array;
      for (let k = 0; k < 784; k++) x[i * 784 + k] = Math.min(1, Math.max(0, (template[k] as number) + 0.4 * rng.normal()));
    });
    return { x, y, size, sampleShape: [1, 28, 28] };
  };
}

/** d2l-style N(0, 0.01) weights and zero biases, drawn with core's initializer. */
function initialParameters(rng: Rng) {
  return mlp.layers.flatMap((layer, i) => {
    if (layer.kind !== 'linear') return [];
    const slot = {
      weight: new Float64Array(layer.inFeatures * layer.outFeatures),
      bias: new Float64Array(layer.outFeatures),
      inFeatures: layer.inFeatures,
      outFeatures: layer.outFeatures,
    };
    normal({ std: 0.01 })(slot, rng);
    return [
      { name: `${i}.weight`, shape: [layer.outFeatures, layer.inFeatures], data: slot.weight },
      { name: `${i}.bias`, shape: [layer.outFeatures], data: slot.bias },
    ];
  });
}

describeEachMode('MLP Flatten, Linear(784,256), ReLU, Linear(256,10)', (mode) => {
  it('trains: loss falls and held-out accuracy rises', async () => {
    const rng = Rng.seeded(41);
    const data = templateData(rng);
    const backend = await createEngine(mode);
    const model = await backend.compile(mlp, initialParameters(rng));
    const heldOut = data(100);
    const before = await model.evaluate(heldOut);
    const losses: number[] = [];
    for (let step = 0; step < 25; step++) {
      const batch = data(32);
      const { lossSum } = await model.trainStep(batch, { lr: 0.2, weightDecay: 0 });
      losses.push(lossSum / batch.size);
    }
    const after = await model.evaluate(heldOut);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[0]).toBeGreaterThan(2); // ≈ ln 10 at N(0, 0.01) init
    expect(after.lossSum / 100).toBeLessThan(0.25 * (before.lossSum / 100));
    expect(after.correct).toBeGreaterThanOrEqual(95);
    await backend.dispose();
  });
});
