import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, type ModelSpec, numerics } from '@xbackend/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuEngine } from './engines.js';
import { exportOnnxModel } from './export.js';
import { loadOrt } from './ort.js';
import { hostForward, maxScaledError, mlp, randomBatch, randomParameters } from './test-helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xb-onnx-export-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function predict(
  path: string,
  images: Float32Array,
  dims: number[],
): Promise<{ logits: Float32Array; probabilities: Float32Array; inputDims: (string | number)[] }> {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(path);
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

describe('exportOnnxModel', () => {
  const spec: ModelSpec = mlp([1, 4, 5], 8, 6);

  it('round-trips weights trained on onnxruntime: a fresh InferenceSession gives the same logits and predictions', async () => {
    const backend = await cpuEngine.create({});
    const model = await backend.compile(spec, randomParameters(spec, 1));
    for (let step = 0; step < 5; step++) await model.trainStep(randomBatch(spec, 16, step), { lr: 0.5, weightDecay: 1e-3 });
    const test = randomBatch(spec, 11, 99);
    const expectedLogits = await model.logits(test);
    const trained = await model.readParameters();
    await backend.dispose();

    const path = join(dir, 'trained.onnx');
    const written = await exportOnnxModel(trained, spec, path);
    expect(written.bytes).toBeGreaterThan(4 * (20 * 8 + 8 * 6));
    const { logits, probabilities, inputDims } = await predict(path, test.x, [11, 1, 4, 5]);
    expect(inputDims).toEqual(['N', 1, 4, 5]);
    expect(Array.from(logits)).toEqual(Array.from(expectedLogits));
    expect(maxScaledError(probabilities, numerics.softmax(logits, 11, 6), 1e-7, 1e-5)).toBeLessThan(1);
    expect(Array.from(numerics.argmaxRows(probabilities, 11, 6))).toEqual(Array.from(numerics.argmaxRows(expectedLogits, 11, 6)));
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('exports host float64 weights from any backend, with a flat [N, 20] input on request', async () => {
    const params = randomParameters(spec, 2);
    const test = randomBatch(spec, 5, 3);
    const path = join(dir, 'flat.onnx');
    await exportOnnxModel(params, spec, path, { inputLayout: 'flat' });
    const { logits, inputDims } = await predict(path, test.x, [5, 20]);
    expect(inputDims).toEqual(['N', 20]);
    expect(maxScaledError(logits, hostForward(spec, params, test.x, 5).logits, 1e-6, 1e-5)).toBeLessThan(1);
  });

  it('rejects non-finite weights, wrong parameters and unknown layouts before writing anything', async () => {
    const params = randomParameters(spec, 2);
    const path = join(dir, 'bad.onnx');
    const poisoned = params.map((p) =>
      p.name === '3.bias' ? { ...p, data: Float64Array.from(p.data, (v, i) => (i === 2 ? Number.NaN : v)) } : p,
    );
    await expect(exportOnnxModel(poisoned, spec, path)).rejects.toThrow(/'3.bias' holds NaN at index 2/);
    await expect(exportOnnxModel(params.slice(0, 3), spec, path)).rejects.toThrow(/'3.bias' \[6\] is missing/);
    await expect(exportOnnxModel(params, spec, path, { inputLayout: 'nhwc' as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await readdir(dir)).not.toContain('bad.onnx');
  });
});
