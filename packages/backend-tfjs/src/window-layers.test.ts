import * as tf from '@tensorflow/tfjs-core';
import {
  describeEachEngine,
  flatParameters,
  randomBatch,
  randomParameters,
  referenceStep,
  relativeError,
  scaledError,
  updateError,
} from '@xbackend/conformance';
import { type Batch, type ModelSpec, type ParameterTensor, presetLayers, sizeOf } from '@xbackend/core';
import { expect, it } from 'vitest';
import { adapter } from './adapter.js';
import { engineFixture, tensorCount } from './test-helpers.js';

const pair = (a: number, b = a) => [a, b] as const;

/** A small LeNet: the book's layer kinds on 12×12 examples (Conv2d with padding, Sigmoid, AvgPool2d, Flatten, Linear). */
const smallLenet: ModelSpec = {
  inputShape: [1, 12, 12],
  numClasses: 5,
  layers: [
    { kind: 'conv2d', inChannels: 1, outChannels: 3, kernelSize: pair(5), stride: pair(1), padding: pair(2) },
    { kind: 'sigmoid' },
    { kind: 'avgpool2d', kernelSize: pair(2), stride: pair(2) },
    { kind: 'conv2d', inChannels: 3, outChannels: 4, kernelSize: pair(3), stride: pair(1), padding: pair(0) },
    { kind: 'sigmoid' },
    { kind: 'avgpool2d', kernelSize: pair(2), stride: pair(2) },
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 16, outFeatures: 8 },
    { kind: 'sigmoid' },
    { kind: 'linear', inFeatures: 8, outFeatures: 5 },
  ],
};

/**
 * Non-square examples `[2, 9, 7]`: a strided Conv2d with a rectangular kernel and padding, overlapping max pools
 * (floor mode drops the last column), a 1×1 Conv2d whose padding exceeds its kernel, and an average pool whose
 * windows leave gaps. Shapes: [3, 5, 4] → [3, 4, 3] → [2, 3, 3] → [2, 2, 2].
 */
const oddShapes: ModelSpec = {
  inputShape: [2, 9, 7],
  numClasses: 4,
  layers: [
    { kind: 'conv2d', inChannels: 2, outChannels: 3, kernelSize: [3, 2], stride: pair(2), padding: pair(1) },
    { kind: 'maxpool2d', kernelSize: pair(2), stride: pair(1) },
    { kind: 'relu' },
    { kind: 'conv2d', inChannels: 3, outChannels: 2, kernelSize: pair(1), stride: pair(2), padding: pair(1) },
    { kind: 'sigmoid' },
    { kind: 'avgpool2d', kernelSize: [2, 1], stride: [1, 2] },
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 8, outFeatures: 4 },
  ],
};

/** Pools before the first layer with parameters (run outside the gradient tape), overlapping 3×3 windows of stride 2. */
const poolsFirst: ModelSpec = {
  inputShape: [3, 11, 11],
  numClasses: 3,
  layers: [
    { kind: 'maxpool2d', kernelSize: pair(3), stride: pair(2) },
    { kind: 'sigmoid' },
    { kind: 'conv2d', inChannels: 3, outChannels: 2, kernelSize: pair(2), stride: pair(1), padding: pair(0) },
    { kind: 'avgpool2d', kernelSize: pair(3), stride: pair(2) },
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 2, outFeatures: 3 },
  ],
};

const lenet: ModelSpec = { layers: presetLayers('lenet', [1, 28, 28], 10), inputShape: [1, 28, 28], numClasses: 10 };

/**
 * float32 against the float64 oracle, relative to the scale of what is compared (logits: the largest; an update: its
 * size). Worst measured over the cases below on wasm and cpu: 5.6e-7 (the book's LeNet's logits on wasm); the limit
 * is 10× that, rounded up.
 */
const F32 = 6e-6;

describeEachEngine(adapter, 'tfjs convolutions and pools', (engine) => {
  const { backend, withModel } = engineFixture(engine);

  for (const [label, spec, size] of [
    ['a small LeNet', smallLenet, 6],
    ['non-square [2, 9, 7] examples (strided rectangular Conv2d, overlapping max pools, floor mode)', oddShapes, 6],
    ['pools before the first Conv2d', poolsFirst, 6],
    ["the book's LeNet", lenet, 4],
  ] as const) {
    it(`logits and one SGD step of ${label} equal the float64 oracle's`, async () => {
      for (const seed of [1, 2]) {
        const params = randomParameters(spec, seed);
        const batch = randomBatch(spec, size, seed + 10);
        const hyper = { lr: 0.9, weightDecay: seed === 2 ? 0.01 : 0 };
        const expected = await referenceStep(spec, params, batch, hyper);
        await withModel(spec, params, async (model) => {
          expect(scaledError(await model.logits(batch), expected.logits), `seed ${seed}`).toBeLessThanOrEqual(F32);
          const stats = await model.trainStep(batch, hyper);
          expect(relativeError(stats.lossSum, expected.lossSum), `seed ${seed}`).toBeLessThanOrEqual(F32);
          expect(stats.correct, `seed ${seed}`).toBe(expected.correct);
          expect(updateError(await model.readParameters(), expected.params, params), `seed ${seed}`).toBeLessThanOrEqual(F32);
        });
      }
    });
  }

  it('gives a max-pool tie to the first largest value of the window in row-major order, as PyTorch', async () => {
    // A 1×1 convolution with zero weights makes every cell of every window equal (the bias): ∂weight is the sum of the
    // input values at the cells the ties go to, so any other choice of cell changes it.
    const spec: ModelSpec = {
      inputShape: [1, 4, 5],
      numClasses: 2,
      layers: [
        { kind: 'conv2d', inChannels: 1, outChannels: 1, kernelSize: pair(1), stride: pair(1), padding: pair(0) },
        { kind: 'maxpool2d', kernelSize: pair(2), stride: pair(2) },
        { kind: 'flatten' },
        { kind: 'linear', inFeatures: 4, outFeatures: 2 },
      ],
    };
    const params = randomParameters(spec, 21);
    (params[0] as ParameterTensor).data.fill(0);
    const batch = randomBatch(spec, 3, 22);
    const hyper = { lr: 1, weightDecay: 0 };
    const expected = await referenceStep(spec, params, batch, hyper);
    await withModel(spec, params, async (model) => {
      await model.trainStep(batch, hyper);
      const [weight] = await model.readParameters();
      const [expectedWeight] = expected.params;
      expect(Math.abs((expectedWeight as ParameterTensor).data[0] as number)).toBeGreaterThan(1e-3);
      expect(
        relativeError((weight as ParameterTensor).data[0] as number, (expectedWeight as ParameterTensor).data[0] as number),
      ).toBeLessThanOrEqual(F32);
    });
  });

  it('writes and reads Conv2d weights back exactly, in PyTorch OIHW layout', async () => {
    const initial = randomParameters(oddShapes, 23);
    const params = randomParameters(oddShapes, 24);
    await withModel(oddShapes, initial, async (model) => {
      const asCompiled = await model.readParameters();
      await model.writeParameters(params);
      const written = await model.readParameters();
      for (const [read, want] of [
        [asCompiled, initial],
        [written, params],
      ] as const) {
        expect(read.map((p) => [p.name, p.shape])).toEqual(want.map((p) => [p.name, p.shape]));
        expect(Array.from(flatParameters(read))).toEqual(Array.from(flatParameters(want)));
      }
    });
  });

  it('computes no gradient with respect to the batch: the first Conv2d has no input-gradient convolution, the second has one', async () => {
    const batch = randomBatch(smallLenet, 5, 25);
    await withModel(smallLenet, randomParameters(smallLenet, 26), async (model) => {
      await model.trainStep(batch, { lr: 0.1, weightDecay: 0 }); // first step outside the profile: engine warm-up
      const profile = await tf.profile(async () => {
        await model.trainStep(batch, { lr: 0.1, weightDecay: 0 });
        return [];
      });
      const convolutions = profile.kernels.filter((k) => k.name.startsWith('Conv2D'));
      const outputs = convolutions.map((k) => k.outputShapes[0]?.join('×'));
      // ∂filter of each Conv2d ([in, kH, kW, out]) and ∂input of the second only ([N, 6, 6, 3], the first pool's output).
      expect(outputs.sort()).toEqual(['1×5×5×3', '3×3×3×4', '5×6×6×3'].sort());
    });
  });

  it('keeps the tensor count flat over LeNet steps, evaluations and parameter reads; dispose() returns to the baseline', async () => {
    const baseline = tensorCount();
    const model = await backend().compile(smallLenet, randomParameters(smallLenet, 27));
    const batches: Batch[] = [randomBatch(smallLenet, 8, 28), randomBatch(smallLenet, 3, 29)];
    await model.trainStep(batches[0] as Batch, { lr: 0.9, weightDecay: 0 }); // creates the optimizer's lr scalar
    const steady = tensorCount();
    for (let epoch = 0; epoch < 4; epoch++) {
      for (const [i, batch] of batches.entries()) {
        await model.trainStep(batch, { lr: 0.9, weightDecay: epoch % 2 ? 1e-3 : 0 });
        expect(tensorCount(), `after epoch ${epoch} step ${i}`).toBe(steady);
      }
      await model.evaluate(batches[1] as Batch);
      await model.logits(batches[1] as Batch);
      await model.losses(batches[1] as Batch);
      await model.readParameters();
      expect(tensorCount(), `after epoch ${epoch}`).toBe(steady);
    }
    await model.writeParameters(randomParameters(smallLenet, 30));
    expect(tensorCount()).toBe(steady);
    await model.dispose();
    expect(tensorCount()).toBe(baseline);
  });

  it('converts LeNet pixel bytes on the device exactly as the float32 input', async () => {
    const size = 3;
    const pixels = Uint8Array.from({ length: size * sizeOf(lenet.inputShape) }, (_, i) => (i * 37) % 256);
    const y = Int32Array.from({ length: size }, (_, i) => i % lenet.numClasses);
    const x = Float32Array.from(pixels, (v) => v / 255);
    await withModel(lenet, randomParameters(lenet, 31), async (model) => {
      const fromBytes = await model.logits({ pixels, x, y, size, sampleShape: lenet.inputShape });
      const fromFloats = await model.logits({ x, y, size, sampleShape: lenet.inputShape });
      expect(Array.from(fromBytes)).toEqual(Array.from(fromFloats));
    });
  });
});
