import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetricsFile } from '@xbackend/runs';
import { describe, expect, it } from 'vitest';
import { fixtureFlags, runCli, tempDir } from './test-fixtures.js';

async function readMetrics(dir: string): Promise<MetricsFile> {
  return JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as MetricsFile;
}

/** History without wall-clock times, which legitimately differ between runs. */
function withoutSeconds(history: MetricsFile['history']) {
  return history.map(({ seconds: _seconds, ...rest }) => rest);
}

describe('xbackend train', () => {
  it('trains one epoch on the reference backend and records metrics.json and curves.svg', async () => {
    const out = await tempDir();
    const run = await runCli(['train', ...(await fixtureFlags()), '--epochs', '1', '--out', out]);
    expect(run.stderr).not.toContain('failed');
    expect(run.code).toBe(0);

    const metrics = await readMetrics(out);
    expect(metrics).toMatchObject({
      backend: 'reference',
      engine: 'float32',
      seed: 0,
      status: 'completed',
      hyperparameters: { batchSize: 64, lr: 0.1, weightDecay: 0, epochs: 1, seed: 0 },
    });
    expect(metrics.history).toHaveLength(1);
    const [epoch] = metrics.history;
    expect(Object.keys(epoch ?? {}).sort()).toEqual(['backend', 'engine', 'epoch', 'seconds', 'testAcc', 'trainAcc', 'trainLoss']);
    expect([epoch?.backend, epoch?.engine]).toEqual(['reference', 'float32']);
    expect(epoch?.epoch).toBe(1);
    expect(epoch?.trainLoss).toBeGreaterThan(0);
    for (const acc of [epoch?.trainAcc, epoch?.testAcc]) {
      expect(acc).toBeGreaterThan(0.1); // better than chance on the learnable fixture
      expect(acc).toBeLessThanOrEqual(1);
    }
    // The table row shows exactly what metrics.json holds.
    expect(run.stdout).toMatch(/epoch\s+train loss\s+train acc\s+test acc\s+seconds/);
    expect(run.stdout).toContain(`${epoch?.trainLoss.toFixed(4)}      ${epoch?.trainAcc.toFixed(4)}      ${epoch?.testAcc.toFixed(4)}`);
    // d2l's sanity checks, reported with their outcome.
    expect(run.stdout).toContain("d2l's sanity checks:");
    expect(run.stdout).toMatch(/(PASS|FAIL) {2}train loss < 0\.5/);
    expect(metrics.sanityChecks).toHaveLength(3);
    // Progress goes to stderr, as plain lines because the test's stderr is not a terminal.
    expect(run.stderr).toContain('epoch 1/1 100% (10/10 batches)');

    const svg = await readFile(join(out, 'curves.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const label of ['train loss', 'train acc', 'test acc']) expect(svg).toContain(`data-label="${label}"`);
    expect(svg).not.toContain('data-label="val acc"');
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(existsSync(join(out, 'checkpoints', 'latest'))).toBe(true);
  });

  it('creates runs/<timestamp>-<backend>-<engine> under the working directory by default', async () => {
    const cwd = await tempDir();
    const run = await runCli(['train', ...(await fixtureFlags()), '--epochs', '1', '--engine', 'float64', '--no-progress'], { cwd });
    expect(run.code).toBe(0);
    const [folder, ...others] = await readdir(join(cwd, 'runs'));
    expect(others).toEqual([]);
    expect(folder).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-reference-float64$/);
    expect(run.stdout).toContain(`run folder: ${join('runs', folder as string)}`);
    expect((await readMetrics(join(cwd, 'runs', folder as string))).engine).toBe('float64');
    expect(run.stderr).toBe(''); // --no-progress
  });

  it('gives the same history for the same seed, and a different one for another seed', async () => {
    const flags = [...(await fixtureFlags()), '--epochs', '2', '--no-progress'];
    const [a, b, c] = [await tempDir(), await tempDir(), await tempDir()];
    expect((await runCli(['train', ...flags, '--seed', '7', '--out', a])).code).toBe(0);
    expect((await runCli(['train', ...flags, '--seed', '7', '--out', b])).code).toBe(0);
    expect((await runCli(['train', ...flags, '--seed', '8', '--out', c])).code).toBe(0);
    const [ha, hb, hc] = await Promise.all([a, b, c].map(async (d) => withoutSeconds((await readMetrics(d)).history)));
    expect(ha).toEqual(hb);
    expect(hc).not.toEqual(ha);
  });

  it('applies --weight-decay (same seed, larger penalty: smaller weights, different losses)', async () => {
    const flags = [...(await fixtureFlags()), '--epochs', '2', '--no-progress'];
    const [plain, decayed] = [await tempDir(), await tempDir()];
    expect((await runCli(['train', ...flags, '--out', plain])).code).toBe(0);
    expect((await runCli(['train', ...flags, '--weight-decay', '0.5', '--out', decayed])).code).toBe(0);
    const norm = async (dir: string) => {
      const { loadCheckpoint } = await import('@xbackend/runs');
      const { weights } = await loadCheckpoint(dir);
      return weights.flatMap((p) => Array.from(p.data)).reduce((s, v) => s + v * v, 0);
    };
    expect(await norm(decayed)).toBeLessThan(await norm(plain));
    expect((await readMetrics(decayed)).hyperparameters.weightDecay).toBe(0.5);
    expect((await readMetrics(decayed)).history[1]?.trainLoss).not.toBe((await readMetrics(plain)).history[1]?.trainLoss);
  });

  it("--init-std draws the softmax model's weights from N(0, std) and is recorded (default: the book's 0.01)", async () => {
    const flags = [...(await fixtureFlags()), '--epochs', '1', '--no-progress'];
    const [book, wide] = [await tempDir(), await tempDir()];
    expect((await runCli(['train', ...flags, '--out', book])).code).toBe(0);
    const run = await runCli(['train', ...flags, '--init-std', '0.5', '--out', wide]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('model: softmax (2 layers, 7850 parameters), initial weights normal(0, 0.5)');
    const [a, b] = [await readMetrics(book), await readMetrics(wide)];
    expect([a.hyperparameters.init, b.hyperparameters.init]).toEqual([
      { kind: 'normal', std: 0.01 },
      { kind: 'normal', std: 0.5 },
    ]);
    expect(b.history[0]?.trainLoss).toBeGreaterThan(a.history[0]?.trainLoss as number);
  });

  it('stops on a non-finite loss with the DivergenceError message, exit code 1, and writes no weights', async () => {
    const out = await tempDir();
    const onnx = join(out, 'model.onnx');
    // A linear softmax model stays finite for any lr that keeps the logits below float32's 3.4e38; 1e38 overflows.
    const run = await runCli([
      'train',
      ...(await fixtureFlags()),
      '--epochs',
      '2',
      '--lr',
      '1e38',
      '--checkpoint-every',
      '1',
      '--export',
      onnx,
      '--out',
      out,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /Training diverged: the loss is (NaN|-?Infinity) at epoch 1, step \d+ \(lr 1e\+38\)\. Try a smaller learning rate/,
    );
    expect(existsSync(join(out, 'checkpoints'))).toBe(false);
    expect(existsSync(onnx)).toBe(false);
    const metrics = await readMetrics(out);
    expect(metrics.status).toBe('diverged');
    expect(metrics.error).toContain('Training diverged');
  });
});

describe('xbackend train on other backends', () => {
  it("runs the same command on every other available engine, with the reference backend's results", async () => {
    const { listBackends } = await import('@xbackend/core');
    const engines = (await listBackends()).filter((s) => s.available && s.backend !== 'reference');
    const flags = [...(await fixtureFlags()), '--epochs', '1', '--no-progress'];
    const reference = await tempDir();
    expect((await runCli(['train', ...flags, '--out', reference])).code).toBe(0);
    const [expected] = (await readMetrics(reference)).history;
    for (const { backend, engine } of engines) {
      const out = await tempDir();
      const run = await runCli(['train', ...flags, '--backend', backend, '--engine', engine, '--out', out]);
      expect(run.code, `${backend}/${engine}: ${run.stderr}`).toBe(0);
      const metrics = await readMetrics(out);
      expect([metrics.backend, metrics.engine]).toEqual([backend, engine]);
      const [got] = metrics.history;
      // Parity itself is the conformance suite's job; this checks the CLI drives every backend the same way.
      expect(got?.trainLoss).toBeCloseTo(expected?.trainLoss as number, 3);
      expect(got?.testAcc).toBeCloseTo(expected?.testAcc as number, 2);
    }
  });
});

describe.skipIf(!existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz'))(
  'xbackend train on the real Fashion-MNIST',
  () => {
    it('reaches d2l-like accuracy after one epoch (book: test acc ~0.79 after epoch 1)', async () => {
      const out = await tempDir();
      const run = await runCli(['train', '--epochs', '1', '--no-download', '--no-progress', '--out', out]);
      expect(run.code).toBe(0);
      const metrics = await readMetrics(out);
      expect(metrics.hyperparameters).toMatchObject({ batchSize: 256, lr: 0.1, epochs: 1 });
      const [epoch] = metrics.history;
      expect(epoch?.trainAcc).toBeGreaterThan(0.7);
      expect(epoch?.testAcc).toBeGreaterThan(0.7);
      expect(epoch?.trainLoss).toBeLessThan(1);
      expect(run.stdout).toContain('PASS  0.7 < test acc <= 1');
    });

    it('refuses --batch-size 60001, one more than the training images, before writing anything', async () => {
      const cwd = await tempDir();
      const run = await runCli(['train', '--backend', 'reference', '--batch-size', '60001', '--no-download', '--no-progress'], { cwd });
      expect(run.stderr).toContain(
        'Batch size 60001 (--batch-size) is more than the 60000 training examples; choose --batch-size 60000 or less',
      );
      expect(run.code).toBe(2);
      expect(existsSync(join(cwd, 'runs'))).toBe(false);
    });
  },
);
