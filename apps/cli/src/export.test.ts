import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelSpec } from '@xbackend/core';
import { loadCheckpoint } from '@xbackend/runs';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from './onnx-export.js';
import { fixtureDataDir, fixtureFlags, importOrt, runCli, tempDir } from './test-fixtures.js';

describe('ONNX export', () => {
  it('train --export and export --checkpoint write the same model, which ONNX Runtime runs to the same logits', async () => {
    const run = await tempDir();
    const fromTrain = join(run, 'trained.onnx');
    const trained = await runCli([
      'train',
      ...(await fixtureFlags()),
      '--epochs',
      '1',
      '--no-progress',
      '--out',
      run,
      '--export',
      fromTrain,
    ]);
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/exported .*trained\.onnx \(\d+ bytes, weights of epoch 1\)/);
    const fromCheckpoint = join(run, 'exported.onnx');
    const exported = await runCli(['export', '--checkpoint', run, '--out', fromCheckpoint]);
    expect(exported.code).toBe(0);
    const bytes = await readFile(fromTrain);
    expect(await readFile(fromCheckpoint)).toEqual(bytes);

    const ort = await importOrt();
    if (!ort) return; // onnxruntime-node not installed: the byte comparison above still ran
    const { weights } = await loadCheckpoint(run);
    const [w, b] = [weights[0]?.data as Float32Array, weights[1]?.data as Float32Array];
    const { loadFashionMnist } = await import('@xbackend/datasets');
    const { test } = await loadFashionMnist({ root: await fixtureDataDir(), checksums: false, download: false });
    const n = 5;
    const x = Float32Array.from(test.images.subarray(0, n * 784), (v) => v / 255);
    const session = await ort.InferenceSession.create(new Uint8Array(bytes));
    try {
      const out = await session.run({ images: new ort.Tensor('float32', x, [n, 1, 28, 28]) });
      const logits = out.logits?.data as Float32Array;
      const probabilities = out.probabilities?.data as Float32Array;
      for (let r = 0; r < n; r++) {
        let sum = 0;
        for (let c = 0; c < 10; c++) {
          let expected = b[c] as number;
          for (let k = 0; k < 784; k++) expected += (w[c * 784 + k] as number) * (x[r * 784 + k] as number);
          expect(logits[r * 10 + c]).toBeCloseTo(expected, 4);
          sum += probabilities[r * 10 + c] as number;
        }
        expect(sum).toBeCloseTo(1, 5);
      }
    } finally {
      await session.release();
    }
  });

  it('--onnx-layout flat takes [N, 784] inputs', async () => {
    const run = await tempDir();
    expect((await runCli(['train', ...(await fixtureFlags()), '--epochs', '1', '--no-progress', '--out', run])).code).toBe(0);
    const path = join(run, 'flat.onnx');
    expect((await runCli(['export', '--checkpoint', run, '--out', path, '--onnx-layout', 'flat'])).code).toBe(0);
    const ort = await importOrt();
    if (!ort) return;
    const session = await ort.InferenceSession.create(path);
    try {
      const out = await session.run({ images: new ort.Tensor('float32', new Float32Array(2 * 784), [2, 784]) });
      expect(out.logits?.dims).toEqual([2, 10]);
    } finally {
      await session.release();
    }
  });

  it('refuses to export non-finite weights and writes nothing', async () => {
    const dir = await tempDir();
    const model: ModelSpec = {
      layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 3, outFeatures: 2 }],
      inputShape: [1, 3],
      numClasses: 2,
    };
    const weights = [
      { name: '1.weight', shape: [2, 3], data: Float64Array.from([0, 0, Number.NaN, 0, 0, 0]) },
      { name: '1.bias', shape: [2], data: new Float64Array(2) },
    ];
    await expect(exportOnnx(weights, model, join(dir, 'm.onnx'))).rejects.toThrow(
      `Refusing to write the ONNX model ${join(dir, 'm.onnx')}: parameter 1.weight has a non-finite value (NaN) at index 2.`,
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
