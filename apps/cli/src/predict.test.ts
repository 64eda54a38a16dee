import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadFashionMnist } from '@xbackend/datasets';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureDataDir, fixtureDataFlags, fixtureFlags, runCli, tempDir } from './test-fixtures.js';

describe('xbackend predict', () => {
  let run: string;
  let dataFlags: string[];

  beforeAll(async () => {
    dataFlags = await fixtureDataFlags();
    run = await tempDir();
    expect((await runCli(['train', ...(await fixtureFlags()), '--epochs', '2', '--no-progress', '--out', run])).code).toBe(0);
  });

  it('draws the first n test images with true and predicted labels, marking mistakes (from a checkpoint)', async () => {
    const result = await runCli(['predict', '--checkpoint', run, '--n', '12', ...dataFlags]);
    expect(result.code).toBe(0);
    const svg = await readFile(join(run, 'predictions.svg'), 'utf8');
    const images = [...svg.matchAll(/href="data:image\/png;base64,([^"]+)"/g)].map((m) =>
      PNG.sync.read(Buffer.from(m[1] as string, 'base64')),
    );
    expect(images).toHaveLength(12);

    // The pictures are the test set's first images, in order.
    const { test } = await loadFashionMnist({ root: await fixtureDataDir(), checksums: false, download: false });
    images.forEach((png, i) => {
      expect([png.width, png.height]).toEqual([28, 28]);
      const gray = Array.from({ length: 784 }, (_, p) => png.data[4 * p]);
      expect(gray).toEqual(Array.from(test.images.subarray(i * 784, (i + 1) * 784)));
    });

    const lines = result.stdout.split('\n').filter((l) => /^\s+\d+ [ ✗] true /.test(l));
    expect(lines).toHaveLength(12);
    const mistakes = lines.filter((l) => l.includes('✗'));
    expect(svg.match(/class="prediction mistake"/g) ?? []).toHaveLength(mistakes.length);
    expect(svg.match(/class="prediction correct"/g) ?? []).toHaveLength(12 - mistakes.length);
    expect(result.stdout).toContain(`${12 - mistakes.length} of 12 correct`);
    // Each true label printed is the fixture's label.
    const { FASHION_MNIST_LABELS } = await import('@xbackend/datasets');
    for (const [i, line] of lines.entries()) expect(line).toContain(`true ${FASHION_MNIST_LABELS[test.labels[i] as number]}`);
  });

  it('trains first when no checkpoint is given, and writes into the new run folder', async () => {
    const out = await tempDir();
    const result = await runCli(['predict', ...(await fixtureFlags()), '--epochs', '1', '--no-progress', '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('predictions on the first 6 test images (reference/float32, epoch 1)');
    const svg = await readFile(join(out, 'predictions.svg'), 'utf8');
    expect(svg.match(/<image /g)).toHaveLength(6);
    await expect(readFile(join(out, 'metrics.json'), 'utf8')).resolves.toContain('"status": "completed"');
  });

  it('rejects training flags next to --checkpoint', async () => {
    const result = await runCli(['predict', '--checkpoint', run, '--lr', '0.5', ...dataFlags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--checkpoint predicts with saved weights; training flags have no effect there (lr)');
  });
});
