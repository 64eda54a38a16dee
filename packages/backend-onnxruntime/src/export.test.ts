import { mlpSpec, randomBatch, randomParameters, referenceForward, scaledError } from '@xbackend/conformance';
import { InvalidArgumentError, type ModelSpec, numerics, presetLayers } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { cpuEngine } from './engines.js';
import { buildOnnxModel } from './export.js';
import { loadOrt } from './ort.js';

/** Runs an exported model in a fresh InferenceSession, as any ONNX Runtime would open the file. */
async function predict(
  model: Uint8Array,
  images: Float32Array,
  dims: number[],
): Promise<{ logits: Float32Array; probabilities: Float32Array; inputDims: (string | number)[] }> {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(model);
  try {
    const out = await session.run({ images: new ort.Tensor('float32', images, dims) });
    const meta = session.inputMetadata[0];
    return {
      logits: out.logits?.data as Float32Array,
      probabilities: out.probabilities?.data as Float32Array,
      inputDims: meta?.isTensor ? [...meta.shape] : [],
    };
  } finally {
    await session.release();
  }
}

describe('buildOnnxModel', () => {
  const spec = mlpSpec([1, 4, 5], [8], 6);

  it('round-trips weights trained on onnxruntime: a fresh InferenceSession gives the same logits and predictions', async () => {
    const backend = await cpuEngine.create({});
    const model = await backend.compile(spec, randomParameters(spec, 1));
    for (let step = 0; step < 5; step++) await model.trainStep(randomBatch(spec, 16, step), { lr: 0.5, weightDecay: 1e-3 });
    const test = randomBatch(spec, 11, 99);
    const expectedLogits = await model.logits(test);
    const trained = await model.readParameters();
    await backend.dispose();

    const bytes = buildOnnxModel(trained, spec);
    expect(bytes.length).toBeGreaterThan(4 * (20 * 8 + 8 * 6));
    const { logits, probabilities, inputDims } = await predict(bytes, test.x, [11, 1, 4, 5]);
    expect(inputDims).toEqual(['N', 1, 4, 5]);
    expect(Array.from(logits)).toEqual(Array.from(expectedLogits));
    // Softmax in float32 inside the model against float64 of the same logits; measured 8.0e-8 (float32 rounding).
    expect(scaledError(probabilities, numerics.softmax(logits, 11, 6))).toBeLessThanOrEqual(8e-7);
    expect(Array.from(numerics.argmaxRows(probabilities, 11, 6))).toEqual(Array.from(numerics.argmaxRows(expectedLogits, 11, 6)));
  });

  it('exports host float64 weights from any backend, with a flat [N, 20] input on request', async () => {
    const params = randomParameters(spec, 2);
    const test = randomBatch(spec, 5, 3);
    const { logits, inputDims } = await predict(buildOnnxModel(params, spec, { inputLayout: 'flat' }), test.x, [5, 20]);
    expect(inputDims).toEqual(['N', 20]);
    // float32 weights and sums against float64 logits, relative to the largest; measured 1.0e-7.
    expect(scaledError(logits, (await referenceForward(spec, params, test)).logits)).toBeLessThanOrEqual(1e-6);
  });

  it('exports a LeNet trained on onnxruntime as a plain model (Conv, Sigmoid, AveragePool) that reproduces its logits', async () => {
    const lenet: ModelSpec = { layers: presetLayers('lenet', [1, 28, 28], 10), inputShape: [1, 28, 28], numClasses: 10 };
    const backend = await cpuEngine.create({});
    const model = await backend.compile(lenet, randomParameters(lenet, 3, { std: 0.2 }));
    for (let step = 0; step < 3; step++) await model.trainStep(randomBatch(lenet, 8, step), { lr: 0.9, weightDecay: 0 });
    const test = randomBatch(lenet, 5, 42);
    const expectedLogits = await model.logits(test);
    const trained = await model.readParameters();
    await backend.dispose();

    const bytes = buildOnnxModel(trained, lenet);
    const { logits, inputDims } = await predict(bytes, test.x, [5, 1, 28, 28]);
    expect(inputDims).toEqual(['N', 1, 28, 28]);
    // Not bit for bit: with the weights as constants onnxruntime runs its NCHWc Conv kernels (prepacked weights), which
    // sum in another order than the training graphs' Conv. Relative to the largest logit; measured 1.5e-7 against the
    // model's own logits, 2.4e-7 against float64 logits of the same weights.
    expect(scaledError(logits, expectedLogits)).toBeLessThanOrEqual(1.5e-6);
    expect(scaledError(logits, (await referenceForward(lenet, trained, test)).logits)).toBeLessThanOrEqual(2.4e-6);
    expect(Array.from(numerics.argmaxRows(logits, 5, 10))).toEqual(Array.from(numerics.argmaxRows(expectedLogits, 5, 10)));
  });

  it('rejects non-finite weights and unknown layouts (parameter names and shapes are checked by core)', () => {
    const params = randomParameters(spec, 2);
    const poisoned = params.map((p) =>
      p.name === '3.bias' ? { ...p, data: Float64Array.from(p.data, (v, i) => (i === 2 ? Number.NaN : v)) } : p,
    );
    expect(() => buildOnnxModel(poisoned, spec)).toThrow(/'3.bias' holds NaN at index 2/);
    expect(() => buildOnnxModel(params, spec, { inputLayout: 'nhwc' as never })).toThrow(InvalidArgumentError);
  });
});
