import {
  randomBatch,
  randomParameters,
  referenceForward,
  referenceStep,
  relativeError,
  scaledError,
  updateError,
} from '@xbackend/conformance';
import { type Backend, type DType, type LayerSpec, layerShapes, type ModelSpec, presetLayers } from '@xbackend/core';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuEngine } from './engines.js';
import { buildTrainGraph } from './model-graphs.js';

/** §7.6's LeNet on 12×12 examples (the second convolution leaves 2×2, the second pool 1×1): every layer, small. */
const smallLenet: ModelSpec = { layers: presetLayers('lenet', [1, 12, 12], 10), inputShape: [1, 12, 12], numClasses: 10 };

/** A Linear to `numClasses` after `features`, sized from the shapes core infers. */
function classifier(features: LayerSpec[], inputShape: number[], numClasses: number): ModelSpec {
  const inFeatures = layerShapes([...features, { kind: 'flatten' }], inputShape).at(-1)?.[0] as number;
  return { layers: [...features, { kind: 'flatten' }, { kind: 'linear', inFeatures, outFeatures: numClasses }], inputShape, numClasses };
}

/** Strides, uneven padding, rectangular kernels, leftover rows and columns, overlapping max windows, a ReLU. */
const windows = classifier(
  [
    { kind: 'conv2d', inChannels: 2, outChannels: 3, kernelSize: [3, 2], stride: [2, 1], padding: [1, 0] },
    { kind: 'sigmoid' },
    { kind: 'maxpool2d', kernelSize: [2, 3], stride: [1, 2] },
    { kind: 'conv2d', inChannels: 3, outChannels: 2, kernelSize: [1, 2], stride: [1, 1], padding: [1, 1] },
    { kind: 'relu' },
    { kind: 'avgpool2d', kernelSize: [2, 2], stride: [1, 2] },
  ],
  [2, 9, 8],
  4,
);

/** The layers onnxruntime computes in float64 too: max pooling and sigmoid. */
const maxPoolSigmoid = classifier([{ kind: 'maxpool2d', kernelSize: [3, 2], stride: [2, 2] }, { kind: 'sigmoid' }], [2, 7, 9], 3);

const backends: Backend[] = [];

async function engine(dtype: DType): Promise<Backend> {
  const backend = await cpuEngine.create({ dtype, threads: 1 });
  backends.push(backend);
  return backend;
}

afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.dispose()));
});

/**
 * Errors against the float64 oracle over seeds 1–3 (logits relative to the largest, the loss sum relative, an update
 * relative to its size). Worst measured: float32 2.9e-7 (logits; update 2.8e-7, loss sum 5.9e-8), float64 9.8e-16 (an
 * update; logits 3.4e-16). Limits: 10× that.
 */
const TOLERANCE: Readonly<Record<DType, number>> = { float32: 2.9e-6, float64: 9.8e-15 };

describe.each([
  ['LeNet on 12×12', smallLenet, 'float32'],
  ['strided, padded, max-pooled convolutions', windows, 'float32'],
  ['max pooling and sigmoid', maxPoolSigmoid, 'float64'],
] as const)('onnxruntime/cpu on %s (%s)', (_, spec, dtype) => {
  it.each([1, 2, 3])('matches the float64 oracle: logits, then one SGD step (seed %i)', async (seed) => {
    const params = randomParameters(spec, seed, { dtype, std: 0.5 });
    const batch = randomBatch(spec, 6, seed);
    const model = await (await engine(dtype)).compile(spec, params);
    const reference = await referenceForward(spec, params, batch);
    expect(scaledError(await model.logits(batch), reference.logits)).toBeLessThanOrEqual(TOLERANCE[dtype]);
    const hyper = { lr: 0.9, weightDecay: 1e-3 };
    const expected = await referenceStep(spec, params, batch, hyper);
    const stats = await model.trainStep(batch, hyper);
    expect(relativeError(stats.lossSum, expected.lossSum)).toBeLessThanOrEqual(TOLERANCE[dtype]);
    expect(stats.correct).toBe(expected.correct);
    expect(updateError(await model.readParameters(), expected.params, params)).toBeLessThanOrEqual(TOLERANCE[dtype]);
  });
});

describe('the training graph', () => {
  it("never computes the gradient with respect to the first layer's input (no ConvTranspose for layer 0)", () => {
    const g = buildTrainGraph(smallLenet, 'float32', 'rows');
    const readers = (name: string) => g.nodes.filter((n) => n.name.startsWith('grad/') && n.inputs.some((v) => v.name === name));
    // The second convolution passes its gradient back through its weight; the first has no one to pass it to.
    expect(readers('3.weight').map((n) => n.op)).toEqual(['ConvTranspose']);
    expect(readers('0.weight')).toEqual([]);
    expect(g.nodes.filter((n) => n.op === 'ConvTranspose')).toHaveLength(1);
  });

  it('reuses the forward MaxPool indices in the gradient instead of pooling again', () => {
    const g = buildTrainGraph(windows, 'float32');
    expect(g.nodes.filter((n) => n.op === 'MaxPool').map((n) => n.outputs.length)).toEqual([2]);
  });
});
