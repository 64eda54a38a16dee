import { mlpSpec, randomBatch, randomParameters } from '@xbackend/conformance';
import { expect, it } from 'vitest';
import type { GpuJsModel } from './gpujs-model.js';
import { createEngine, describeEachMode } from './test-modes.js';

const mlp = mlpSpec([30], [12], 4);

describeEachMode('device resources', (mode) => {
  it('stay flat across steps and epochs, and dispose() releases every kernel and GL object', async () => {
    const backend = await createEngine(mode);
    const baseline = backend.resources();
    const model = (await backend.compile(mlp, randomParameters(mlp, 31))) as GpuJsModel;
    // An epoch: full batches, the last partial one, then evaluation and the host-side reads core makes.
    const full = Array.from({ length: 5 }, (_, k) => randomBatch(mlp, 32, 31 + k));
    const partial = randomBatch(mlp, 7, 36);
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
    const batch = randomBatch(mlp, 16, 32);
    const sizes = [];
    for (let i = 0; i < 3; i++) {
      const model = await backend.compile(mlp, randomParameters(mlp, 33 + i));
      await model.trainStep(batch, { lr: 0.1, weightDecay: 0 });
      sizes.push(backend.resources());
      await model.dispose();
    }
    expect(sizes[2]).toEqual(sizes[0]);
    await backend.dispose();
  });
});
