import { type ModelSpec, Rng } from '@xbackend/core';
import { expect, it } from 'vitest';
import type { GpuJsModel } from './gpujs-model.js';
import { createEngine, describeEachMode } from './test-modes.js';
import { randomBatch, randomParameters } from './test-reference.js';

const mlp: ModelSpec = {
  layers: [
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 30, outFeatures: 12 },
    { kind: 'relu' },
    { kind: 'linear', inFeatures: 12, outFeatures: 4 },
  ],
  inputShape: [30],
  numClasses: 4,
};

describeEachMode('device resources', (mode) => {
  it('stay flat across steps and epochs, and dispose() releases every kernel and GL object', async () => {
    const backend = await createEngine(mode);
    const baseline = backend.resources();
    const rng = Rng.seeded(31);
    const model = (await backend.compile(mlp, randomParameters(mlp, rng))) as GpuJsModel;
    // An epoch: full batches, the last partial one, then evaluation and the host-side reads core makes.
    const full = Array.from({ length: 5 }, () => randomBatch(mlp, 32, rng));
    const partial = randomBatch(mlp, 7, rng);
    const epoch = async () => {
      for (const batch of [...full, partial]) await model.trainStep(batch, { lr: 0.1, weightDecay: 0.001 });
      for (const batch of [...full, partial]) await model.evaluate(batch);
      await model.logits(partial);
      await model.losses(full[0] ?? partial);
      await model.readParameters();
    };
    await epoch();
    const warm = backend.resources();
    expect(warm.kernels).toBeGreaterThan(0);
    expect(warm.gpuJsKernels).toBe(warm.kernels);
    for (let e = 0; e < 4; e++) await epoch();
    expect(backend.resources()).toEqual(warm);
    if (mode === 'headlessgl') expect(warm.gl?.textures).toBeGreaterThan(0);

    await model.dispose();
    expect(backend.resources()).toEqual(baseline);
    await backend.dispose();
    if (mode === 'headlessgl')
      expect(backend.resources().gl).toEqual({ textures: 0, framebuffers: 0, programs: 0, shaders: 0, buffers: 0 });
  });

  it('compiling again after a model is disposed reuses nothing stale and leaks nothing', async () => {
    const backend = await createEngine(mode);
    const rng = Rng.seeded(32);
    const batch = randomBatch(mlp, 16, rng);
    const sizes = [];
    for (let i = 0; i < 3; i++) {
      const model = await backend.compile(mlp, randomParameters(mlp, rng));
      await model.trainStep(batch, { lr: 0.1, weightDecay: 0 });
      sizes.push(backend.resources());
      await model.dispose();
    }
    expect(sizes[2]).toEqual(sizes[0]);
    await backend.dispose();
  });
});
