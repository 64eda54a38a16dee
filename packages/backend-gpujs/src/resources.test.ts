import { mlpSpec, randomBatch, randomParameters } from '@xbackend/conformance';
import type { ModelSpec } from '@xbackend/core';
import { expect, it } from 'vitest';
import type { GpuJsModel } from './gpujs-model.js';
import { createEngine, describeEachMode } from './test-modes.js';

const mlp = mlpSpec([30], [12], 4);

/** Every window layer: Conv2d, Sigmoid, MaxPool2d, Conv2d, ReLU, AvgPool2d, then Flatten and Linear. */
const windows: ModelSpec = {
  layers: [
    { kind: 'conv2d', inChannels: 1, outChannels: 2, kernelSize: [3, 3], stride: [1, 1], padding: [1, 1] },
    { kind: 'sigmoid' },
    { kind: 'maxpool2d', kernelSize: [2, 2], stride: [2, 2] },
    { kind: 'conv2d', inChannels: 2, outChannels: 3, kernelSize: [3, 3], stride: [1, 1], padding: [0, 0] },
    { kind: 'relu' },
    { kind: 'avgpool2d', kernelSize: [2, 2], stride: [2, 2] },
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 3, outFeatures: 4 },
  ],
  inputShape: [1, 8, 8],
  numClasses: 4,
};

describeEachMode('device resources', (mode) => {
  it.each([
    ['an MLP', mlp],
    ['a net of window layers', windows],
  ])('stay flat across steps and epochs for %s, and dispose() releases every kernel and GL object', async (_, spec) => {
    const backend = await createEngine(mode);
    const baseline = backend.resources();
    const model = (await backend.compile(spec, randomParameters(spec, 31))) as GpuJsModel;
    // An epoch: full batches, the last partial one, then evaluation and the host-side reads core makes.
    const full = Array.from({ length: 5 }, (_, k) => randomBatch(spec, 32, 31 + k));
    const partial = randomBatch(spec, 7, 36);
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
