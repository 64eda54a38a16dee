import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listBackends, loadBackend, PRESET_TRAINING, presetLayers, sequentialOf } from '@xbackend/core';
import { loadFashionMnist } from '@xbackend/datasets';
import { loadCheckpoint, type MetricsFile } from '@xbackend/runs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SweepReport } from './sweep-report.js';
import { importOrt, lenetFlags, runCli, TINY, tempDir, tinyDataFlags } from './test-fixtures.js';

async function readMetrics(dir: string): Promise<MetricsFile> {
  return JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as MetricsFile;
}

function withoutSeconds(history: MetricsFile['history']) {
  return history.map(({ seconds: _seconds, ...rest }) => rest);
}

/**
 * The largest |logit − the float64 reference's| of the exported LeNet in ONNX Runtime, as a multiple of the largest
 * |logit|. Measured 4.6e-7 (float32 arithmetic against float64, image layout); the bound is about 10× that.
 */
const ONNX_LOGITS_TOLERANCE = 5e-6;

/** The first `n` test images of the tiny fixture as float32 in [0, 1], and the fixture's test set. */
async function firstTestImages(n: number): Promise<Float32Array> {
  const root = (await tinyDataFlags())[1] as string;
  const { test } = await loadFashionMnist({ root, checksums: false, download: false });
  return Float32Array.from(test.images.subarray(0, n * 784), (v) => v / 255);
}

/** The checkpoint's logits on `x` from the float64 reference backend: what every engine is compared with. */
async function referenceLogits(run: string, x: Float32Array, n: number): Promise<Float64Array> {
  const { model, inferenceWeights } = await loadCheckpoint(run);
  const { nn, dispose } = await loadBackend('reference', { engine: 'float64' });
  try {
    const net = sequentialOf(nn, model.layers);
    await net.loadStateDict(inferenceWeights);
    return Float64Array.from(await net.forward({ x, y: new Int32Array(n), size: n, sampleShape: [1, 28, 28] }));
  } finally {
    await dispose();
  }
}

describe('xbackend --model lenet (d2l §7.6)', () => {
  let run: string;

  beforeAll(async () => {
    run = await tempDir();
    const trained = await runCli(['train', ...(await lenetFlags()), '--epochs', '2', '--no-progress', '--out', run]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toContain('model: lenet (12 layers, 61706 parameters), initial weights xavierUniform');
    expect(trained.stdout).toContain('batch size 32, lr 0.9,');
  });

  it("trains the book's LeNet with its init and lr, and records both with its layers", async () => {
    const metrics = await readMetrics(run);
    expect(metrics.hyperparameters).toEqual({
      batchSize: 32,
      lr: PRESET_TRAINING.lenet.lr,
      weightDecay: 0,
      epochs: 2,
      seed: 0,
      init: { kind: 'xavierUniform' },
    });
    expect(metrics.history).toHaveLength(2);
    const checkpoint = await loadCheckpoint(run);
    expect(checkpoint.model).toEqual({ layers: presetLayers('lenet', [1, 28, 28], 10), inputShape: [1, 28, 28], numClasses: 10 });
    expect(checkpoint.hyperparameters).toEqual(metrics.hyperparameters);
    expect(checkpoint.weights.map((p) => p.name)).toEqual([
      '0.weight',
      '0.bias',
      '3.weight',
      '3.bias',
      '7.weight',
      '7.bias',
      '9.weight',
      '9.bias',
      '11.weight',
      '11.bias',
    ]);
  });

  it('--lr replaces the book lr', async () => {
    const out = await tempDir();
    const given = await runCli(['train', ...(await lenetFlags()), '--epochs', '1', '--lr', '0.3', '--no-progress', '--out', out]);
    expect(given.code).toBe(0);
    expect((await readMetrics(out)).hyperparameters.lr).toBe(0.3);
  });

  it('resumes bit for bit: 1 epoch + resume 1 epoch = 2 straight epochs (history and weights)', async () => {
    const first = await tempDir();
    const flags = [...(await lenetFlags()), '--no-progress'];
    expect((await runCli(['train', ...flags, '--epochs', '1', '--out', first])).code).toBe(0);
    // Model, lr and init come from the checkpoint: the resume names neither --model nor --lr.
    const resumed = await runCli(['train', '--resume', first, '--epochs', '2', ...(await tinyDataFlags()), '--no-progress']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(withoutSeconds((await readMetrics(first)).history)).toEqual(withoutSeconds((await readMetrics(run)).history));
    const [a, b] = [await loadCheckpoint(run), await loadCheckpoint(first)];
    expect(b.epoch).toBe(2);
    expect(await readFile(join(b.dir, 'tensors.bin'))).toEqual(await readFile(join(a.dir, 'tensors.bin')));
  });

  it('refuses to resume it as another model or with another init (exit 2)', async () => {
    const data = await tinyDataFlags();
    const asSoftmax = await runCli(['train', '--resume', run, '--epochs', '3', '--model', 'softmax', ...data]);
    expect(asSoftmax.code).toBe(2);
    expect(asSoftmax.stderr).toContain(
      "--model softmax differs from the resumed run's model, lenet (12 layers, 61706 parameters); a resumed run keeps its model",
    );
    const withStd = await runCli(['train', '--resume', run, '--epochs', '3', '--init-std', '0.01', ...data]);
    expect(withStd.code).toBe(2);
    expect(withStd.stderr).toContain(
      "--init-std 0.01 differs from the resumed run's init, xavierUniform; a resumed run keeps its hyperparameters",
    );
  });

  it('trains the same on onnxruntime, and evaluates that checkpoint on the reference backend', async () => {
    const out = await tempDir();
    const trained = await runCli([
      'train',
      ...(await lenetFlags()),
      '--backend',
      'onnxruntime',
      '--epochs',
      '1',
      '--no-progress',
      '--out',
      out,
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    const [got] = (await readMetrics(out)).history;
    const [expected] = (await readMetrics(run)).history;
    // Parity itself is the conformance suite's job; this checks the CLI drives LeNet on onnxruntime as on the reference.
    expect(got?.trainLoss).toBeCloseTo(expected?.trainLoss as number, 3);
    expect(got?.testAcc).toBeCloseTo(expected?.testAcc as number, 2);
    const evaluated = await runCli([
      'evaluate',
      '--checkpoint',
      out,
      '--backend',
      'reference/float64',
      '--json',
      ...(await tinyDataFlags()),
    ]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect((JSON.parse(evaluated.stdout) as { trainedOn: string }).trainedOn).toBe('onnxruntime/cpu');
  });

  it('evaluates the checkpoint on every available engine with the accuracy it was trained to', async () => {
    const data = await tinyDataFlags();
    const { testAcc } = (await readMetrics(run)).history[1] as MetricsFile['history'][number];
    const statuses = await listBackends();
    const targets = [
      'reference/float64',
      ...statuses.filter((s) => s.available && s.backend !== 'reference').map((s) => `${s.backend}/${s.engine}`),
    ];
    for (const target of targets) {
      const result = await runCli(['evaluate', '--checkpoint', run, '--backend', target, '--json', ...data]);
      expect(result.code, `${target}: ${result.stderr}`).toBe(0);
      const json = JSON.parse(result.stdout) as { testAcc: number; backend: string; engine: string; trainedOn: string };
      expect(`${json.backend}/${json.engine}`).toBe(target);
      expect(json.trainedOn).toBe('reference/float32');
      // float32 vs float64 rounding may flip an example whose two largest logits (nearly) tie.
      expect(Math.abs(json.testAcc - testAcc), target).toBeLessThanOrEqual(1 / TINY.test);
    }
  });

  it('predicts the first test images with it', async () => {
    const result = await runCli(['predict', '--checkpoint', run, '--n', '4', ...(await tinyDataFlags())]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n').filter((l) => /^\s+\d+ [ ✗] true /.test(l))).toHaveLength(4);
    expect(result.stdout).toMatch(/\d of 4 correct; wrote .*predictions\.svg/);
  });

  /** Exports the run with `--onnx-layout layout`, runs it in ONNX Runtime on `dims`-shaped images and compares the logits. */
  async function checkExport(layout: 'image' | 'flat', dims: (n: number) => number[]): Promise<void> {
    const ort = await importOrt();
    expect(ort, 'onnxruntime-node is a dependency of the onnxruntime adapter').toBeDefined();
    if (!ort) return;
    const n = 8;
    const x = await firstTestImages(n);
    const expected = await referenceLogits(run, x, n);
    const path = join(run, `lenet-${layout}.onnx`);
    const exported = await runCli(['export', '--checkpoint', run, '--out', path, '--onnx-layout', layout]);
    expect(exported.code, exported.stderr).toBe(0);
    const session = await ort.InferenceSession.create(path);
    try {
      const out = await session.run({ images: new ort.Tensor('float32', x, dims(n)) });
      expect(out.logits?.dims).toEqual([n, 10]);
      const logits = out.logits?.data as Float32Array;
      const error = Math.max(...expected.map((v, i) => Math.abs((logits[i] as number) - v))) / Math.max(...expected.map(Math.abs));
      console.log(`exported LeNet (${layout}) in ONNX Runtime: max logit error ${error.toExponential(2)} of the largest logit`);
      expect(error).toBeLessThanOrEqual(ONNX_LOGITS_TOLERANCE);
    } finally {
      await session.release();
    }
  }

  it("exports it as plain ONNX that ONNX Runtime runs to the reference backend's logits", () =>
    checkExport('image', (n) => [n, 1, 28, 28]));

  it('--onnx-layout flat exports it with [N, 784] inputs, to the same logits', () => checkExport('flat', (n) => [n, 784]));

  it('trains in a sweep, with its book lr by default, the same as train does', async () => {
    const out = await tempDir();
    const data = await tinyDataFlags();
    const swept = await runCli([
      'sweep',
      '--model',
      'lenet',
      '--backends',
      'reference',
      '--batch-sizes',
      '32',
      '--epochs',
      '2',
      ...data,
      '--no-progress',
      '--out',
      out,
    ]);
    expect(swept.code, swept.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as SweepReport;
    expect(report.grid).toMatchObject({ model: 'lenet', lrs: [0.9] });
    const row = report.results.find((r) => r.epochs === 2);
    const [, second] = (await readMetrics(run)).history;
    expect([row?.lr, row?.trainLoss, row?.testAcc]).toEqual([0.9, second?.trainLoss, second?.testAcc]);
    expect(await readFile(join(out, 'sweep.md'), 'utf8')).toContain('# xbackend sweep: lenet (seed 0)');
  });
});
