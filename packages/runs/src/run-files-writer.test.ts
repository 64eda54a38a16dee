import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRICS_FILE, type MetricsFile } from './metrics-file.js';
import { RunFilesWriter } from './run-files-writer.js';
import { tempDir } from './test-fixtures.js';

const hyperparameters = { batchSize: 256, lr: 0.1, weightDecay: 0, epochs: 5, seed: 0, init: { kind: 'normal' as const, std: 0.01 } };

function metricsAfter(epochs: number): Omit<MetricsFile, 'updatedAt'> {
  const history = Array.from({ length: epochs }, (_, i) => ({
    epoch: i + 1,
    trainLoss: 1 / (i + 1),
    trainAcc: 0.5,
    testAcc: 0.5,
    seconds: 1,
  }));
  return { backend: 'reference', engine: 'float32', dtype: 'float32', seed: 0, hyperparameters, history, status: 'running' };
}

describe('RunFilesWriter', () => {
  it('returns at once, never goes back in time, and has the latest epoch on disk after flush', async () => {
    const dir = await tempDir();
    const writer = new RunFilesWriter(dir);
    for (let epoch = 1; epoch <= 5; epoch++) writer.write(metricsAfter(epoch));
    await writer.flush();
    const written = JSON.parse(await readFile(join(dir, METRICS_FILE), 'utf8')) as MetricsFile;
    expect(written.history).toHaveLength(5);
    // Atomic writes: only the two files, no temporary ones left behind.
    expect((await readdir(dir)).sort()).toEqual(['curves.svg', 'metrics.json']);
  });

  it('reports a failed write at the next write or flush', async () => {
    const parent = await tempDir();
    const notADir = join(parent, 'file');
    await writeFile(notADir, 'x');
    const writer = new RunFilesWriter(notADir);
    writer.write(metricsAfter(1));
    await expect(writer.flush()).rejects.toThrow(/not a directory/);
    writer.write(metricsAfter(2));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(() => writer.write(metricsAfter(3))).toThrow(/not a directory/);
  });
});
