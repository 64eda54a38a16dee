import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport } from './results.js';
import { FIXTURE_TEST, FIXTURE_TRAIN, fixtureFlags, readReport, runBenchCli, tempDir } from './test-fixtures.js';
import { BENCH_FILES } from './write-outputs.js';

const EPOCHS = 2;
const BATCH = 64;

describe('xbackend-bench on tiny fixture data', () => {
  let out: string;
  let code: number;
  let stdout: string;
  let report: BenchReport;

  beforeAll(async () => {
    out = await tempDir();
    // reference (both engines, float32 being the baseline) and tfjs/cpu, whose plain-tfjs and floor baselines are added
    // (the Python peers have their own test).
    const run = await runBenchCli([
      ...(await fixtureFlags()),
      '--no-peers',
      '--backends',
      'reference,tfjs/cpu',
      '--epochs',
      String(EPOCHS),
      '--batch-sizes',
      String(BATCH),
      '--out',
      out,
    ]);
    ({ code, stdout } = run);
    if (code !== 0) throw new Error(`bench failed (${code}):\n${run.stderr}`);
    report = await readReport(out);
  });

  it('runs each backend/engine in its own child process and reports every number per row', () => {
    expect(code).toBe(0);
    expect(report.rows.map((r) => r.target)).toEqual([
      'reference/float32',
      'reference/float64',
      'tfjs/cpu',
      'tfjs-idiomatic/cpu',
      'tfjs-floor/cpu',
    ]);
    const numBatches = Math.ceil(FIXTURE_TRAIN / BATCH);
    for (const row of report.rows) {
      expect(row.status, row.error).toBe('ok');
      expect(row.epochMs?.count).toBe(EPOCHS);
      expect(row.epochMs?.min).toBeLessThanOrEqual(row.epochMs?.median as number);
      expect(row.samplesPerSecond).toBeCloseTo(FIXTURE_TRAIN / ((row.epochMs?.median as number) / 1000), 6);
      expect(row.evalMs).toBeGreaterThan(0);
      expect(row.buildMs).toBeGreaterThan(0);
      expect(row.peakRssBytes).toBeGreaterThan(10 * 2 ** 20);
      expect(row.vsFastest).toBeGreaterThanOrEqual(1);
      expect(row.vsReference).toBeGreaterThan(0);
      if (row.kind === 'adapter') expect(row.stepMs?.count).toBe(EPOCHS * numBatches);
      else expect(row.stepMs).toBeNull();
    }
    expect(Math.min(...report.rows.map((r) => r.vsFastest as number))).toBe(1);
    expect(report.rows[0]?.vsReference).toBe(1);
    const tfjs = report.rows.find((r) => r.target === 'tfjs/cpu');
    expect(tfjs?.vsIdiomatic).toBeGreaterThan(0);
    expect(tfjs?.vsFloor).toBeGreaterThan(0);
  });

  it("splits each adapter row's epoch (an epoch is training plus test evaluation) into data, compute, reads, eval and the rest", () => {
    for (const row of report.rows) {
      const epochs = report.runs.find((r) => r.target === row.target)?.measurement?.epochs ?? [];
      for (const e of epochs) {
        if (row.kind !== 'adapter') {
          expect(e.split).toBeUndefined();
          continue;
        }
        const split = e.split;
        if (!split) throw new Error(`${row.target}: no split`);
        // The parts add up to the epoch (train + eval); `other` is what no phase timed. Writes come after it.
        const parts = split.data + split.compute + split.read + split.eval + split.other;
        expect(parts).toBeCloseTo(e.trainMs + e.evalMs, 6);
        for (const v of Object.values(split)) expect(v).toBeGreaterThanOrEqual(0);
        expect(split.compute).toBeGreaterThan(0);
        expect(split.eval).toBeGreaterThan(0);
        expect(split.eval).toBeLessThanOrEqual(e.evalMs);
        expect(split.write).toBeGreaterThan(0); // metrics.json and curves.svg, as `xbackend train` writes them
      }
      if (row.kind === 'adapter') expect(row.outsideShare).toBeGreaterThan(0);
    }
    // tfjs reads its two numbers back with tensor.data(), which the adapter reports as host reads.
    expect(report.rows.find((r) => r.target === 'tfjs/cpu')?.split?.read).toBeGreaterThan(0);
    expect(report.rows.find((r) => r.target === 'reference/float32')?.split?.read).toBe(0);
  });

  it('gives every row the same data, seed and start: the final loss agrees, so a fast but wrong backend would show', () => {
    const losses = report.rows.map((r) => r.trainLoss as number);
    for (const loss of losses) expect(loss).toBeCloseTo(losses[0] as number, 3);
    // Learnable fixture: the loss fell from log(10) during the warm-up + measured epochs.
    expect(losses[0]).toBeLessThan(Math.log(10) - 0.5);
    for (const row of report.rows) expect(row.testAcc).toBeGreaterThanOrEqual(0);
  });

  it('records each run with the engine as the backend reported it, the epochs and the machine', () => {
    expect(report.runs).toHaveLength(5);
    for (const run of report.runs) {
      const m = run.measurement;
      expect(m?.epochs.map((e) => e.warmup)).toEqual([true, ...Array(EPOCHS).fill(false)]);
      expect(m?.numTrainExamples).toBe(FIXTURE_TRAIN);
      expect(m?.numTestExamples).toBe(FIXTURE_TEST);
    }
    expect(report.rows.map((r) => r.engine)).toEqual(['float32', 'float64', 'cpu', 'cpu', 'cpu']);
    expect(report.rows.find((r) => r.target === 'tfjs-idiomatic/cpu')?.details?.loop).toBe('tf.LayersModel.fitDataset');
    expect(report.settings).toMatchObject({
      epochs: EPOCHS,
      warmupEpochs: 1,
      batchSizes: [BATCH],
      seed: 0,
      model: 'softmax',
      lr: 0.1,
      init: { kind: 'normal', std: 0.01 },
    });
    expect(report.settings.architecture).toBe('Sequential(Flatten, Linear(784, 10))');
    expect(report.machine.node).toBe(process.version);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.packages['@xbackend/core']).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.machine.packages['@tensorflow/tfjs-core']).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.command).toMatch(/^pnpm bench .*--backends reference,tfjs\/cpu/);
  });

  it('writes REPORT.md, the two charts and bench.json, and leaves no temporary files', async () => {
    expect((await readdir(out)).sort()).toEqual(Object.values(BENCH_FILES).sort());
    const markdown = await readFile(join(out, BENCH_FILES.markdown), 'utf8');
    expect(markdown).toContain('# xbackend bench: Softmax regression (d2l §3.7)');
    expect(markdown).toContain('Sequential(Flatten, Linear(784, 10)), N(0, 0.01) init, SGD lr 0.1,');
    expect(markdown).toContain(`## Batch size ${BATCH}`);
    expect(markdown).toMatch(/\| tfjs\/cpu \| [\d.]+ \([\d.]+–[\d.]+\) \|/);
    expect(markdown).toMatch(/\| tfjs\/cpu \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ % \|/);
    expect(markdown).toContain('## Machine and versions');
    expect(markdown).toContain(report.command);
    for (const file of [BENCH_FILES.epochChart, BENCH_FILES.scalingChart]) {
      const svg = await readFile(join(out, file), 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).toContain('tfjs-idiomatic/cpu');
    }
    expect(stdout).toContain('| reference/float64 |');
  });
});

describe('xbackend-bench --model lenet on tiny fixture data', () => {
  const TRAIN = 128;
  const SIZES = [32, 64];
  /**
   * How far a row's final train loss may be from reference/float32's after these few float32 SGD steps of LeNet from the
   * same weights: measured worst 2.41e-7 (tfjs/wasm at B=32; the same in two runs); allowed ≈10× that. A tfjs floor whose
   * first convolution got no gradient ended 1.2e-5 away, one whose convolution filters got none 1.1e-3.
   */
  const LOSS_TOLERANCE = 2.4e-6;
  let report: BenchReport;
  let markdown: string;

  beforeAll(async () => {
    const out = await tempDir();
    const run = await runBenchCli([
      ...(await fixtureFlags()),
      '--model',
      'lenet',
      '--no-peers',
      '--backends',
      'reference/float32,onnxruntime/cpu,tfjs/wasm',
      '--train-examples',
      String(TRAIN),
      '--test-examples',
      '64',
      '--epochs',
      '1',
      '--warmup-epochs',
      '0',
      '--batch-sizes',
      SIZES.join(','),
      '--out',
      out,
    ]);
    if (run.code !== 0) throw new Error(`bench failed (${run.code}):\n${run.stderr}`);
    report = await readReport(out);
    markdown = await readFile(join(out, BENCH_FILES.markdown), 'utf8');
  });

  it("trains the book's LeNet with its lr and init on every row: the adapters', their floors and reference/float32", () => {
    expect(report.settings).toMatchObject({ model: 'lenet', lr: 0.9, init: { kind: 'xavierUniform' }, epochs: 1, warmupEpochs: 0 });
    expect(report.settings.architecture).toMatch(/^Sequential\(Conv2d\(1, 6, kernel 5×5, stride 1×1, padding 2×2\), Sigmoid, AvgPool2d/);
    const targets = ['reference/float32', 'onnxruntime/cpu', 'onnxruntime-floor/cpu', 'tfjs/wasm', 'tfjs-floor/wasm'];
    expect(report.rows.map((r) => [r.target, r.batchSize])).toEqual(SIZES.flatMap((b) => targets.map((t) => [t, b])));
    for (const row of report.rows) {
      expect(row.status, row.error).toBe('ok');
      expect(row.epochMs?.count).toBe(1);
      if (row.kind === 'adapter') {
        expect(row.stepMs?.count).toBe(Math.ceil(TRAIN / row.batchSize));
        expect(row.split?.compute).toBeGreaterThan(0);
        expect(row.split?.eval).toBeGreaterThan(0);
      }
    }
    for (const target of ['onnxruntime/cpu', 'tfjs/wasm']) expect(report.rows.find((r) => r.target === target)?.vsFloor).toBeGreaterThan(0);
    // tfjs's trainIdiomatic builds no convolutions: its row says so instead of running.
    expect(report.skipped.map((s) => s.label)).toContain('tfjs-idiomatic/wasm');
  });

  it('gives every row the same batches from the same xavierUniform weights: the final losses agree at each batch size', () => {
    for (const batchSize of SIZES) {
      const rows = report.rows.filter((r) => r.batchSize === batchSize);
      const reference = rows.find((r) => r.target === 'reference/float32')?.trainLoss as number;
      for (const row of rows) expect(Math.abs((row.trainLoss as number) - reference), row.target).toBeLessThan(LOSS_TOLERANCE);
    }
  });

  it('says in REPORT.md which model, init and lr were measured, with the split and the batch-size scaling', () => {
    expect(markdown).toContain('# xbackend bench: LeNet (d2l §7.6)');
    expect(markdown).toContain("xavierUniform init (PyTorch's default biases), SGD lr 0.9");
    expect(markdown).toContain('## Median epoch time (s) by batch size');
    expect(markdown).toMatch(/\| onnxruntime\/cpu \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ % \|/);
    expect(markdown).toContain('tf.variableGrads');
    expect(markdown).toMatch(/\| tfjs-idiomatic\/wasm \| not run: the tfjs adapter's trainIdiomatic/);
  });
});
