// Integration tests on the real data set. Skipped (with the reason in the suite name) only where the Debian
// package is absent and this is not CI; with CI=true a missing data set fails these tests instead.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnist } from './fashion-mnist.js';
import { FASHION_MNIST_CHECKSUMS, SYSTEM_DATASET_DIR } from './files.js';
import { loadDataFashionMnist } from './load-data.js';
import type { FashionMnistOptions } from './options.js';
import { tempDir } from './test-fixtures.js';

const present = existsSync(SYSTEM_DATASET_DIR);
const inCi = process.env.CI === 'true';
const title = present
  ? `real Fashion-MNIST at ${SYSTEM_DATASET_DIR}`
  : `real Fashion-MNIST — SKIPPED: ${SYSTEM_DATASET_DIR} does not exist (sudo apt install dataset-fashion-mnist); with CI=true this fails`;

describe.skipIf(!present && !inCi)(title, () => {
  let emptyCache: { dir: string; cleanup: () => Promise<void> };
  /** Only the real directory: no cache, no download, so nothing but those files can satisfy the load. */
  let real: FashionMnistOptions;
  beforeAll(async () => {
    emptyCache = await tempDir();
    real = { root: SYSTEM_DATASET_DIR, cacheDir: emptyCache.dir, systemDir: emptyCache.dir, download: false };
  });
  afterAll(async () => {
    await emptyCache.cleanup();
  });

  it('has 60000 training and 10000 test images of 28×28, 6000 and 1000 per class, verified by SHA-256', async () => {
    const data = await loadFashionMnist(real);
    expect([data.train.count, data.train.rows, data.train.cols, data.test.count]).toEqual([60000, 28, 28, 10000]);
    const perClass = (labels: Uint8Array) => Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length);
    expect(perClass(data.train.labels)).toEqual(new Array(10).fill(6000));
    expect(perClass(data.test.labels)).toEqual(new Array(10).fill(1000));
    expect(Object.values(data.sources).every((s) => s.path.startsWith(SYSTEM_DATASET_DIR))).toBe(true);
  });

  it('really checks the hashes: a table off by one digit rejects the real file', async () => {
    const expected = FASHION_MNIST_CHECKSUMS['t10k-labels-idx1-ubyte'];
    const wrong = `${expected.sha256.slice(0, -1)}${expected.sha256.endsWith('0') ? '1' : '0'}`;
    const checksums = { ...FASHION_MNIST_CHECKSUMS, 't10k-labels-idx1-ubyte': { ...expected, sha256: wrong } };
    await expect(loadFashionMnist({ ...real, checksums })).rejects.toThrow(`is ${expected.sha256}, expected ${wrong}`);
  });

  it('batches like d2l: 235 training batches of 256 (the last of 96), 40 test batches (the last of 16)', async () => {
    const [train, test] = await loadDataFashionMnist(256, real);
    expect([train.numExamples, train.numBatches, test.numExamples, test.numBatches]).toEqual([60000, 235, 10000, 40]);
    expect(train.sampleShape).toEqual([1, 28, 28]);
    const sizes = [...train.epoch(0)].map((b) => b.size);
    expect(sizes).toHaveLength(235);
    expect(sizes.slice(0, -1).every((s) => s === 256)).toBe(true);
    expect(sizes.at(-1)).toBe(96);
    expect([...test.epoch(0)].at(-1)?.size).toBe(16);
    const [batch] = train.epoch(0);
    expect(batch?.x.length).toBe(256 * 784);
    const pixels = batch?.x ?? new Float32Array();
    expect([pixels.reduce((a, b) => Math.min(a, b)), pixels.reduce((a, b) => Math.max(a, b))]).toEqual([0, 1]);
    expect(batch?.y).toBeInstanceOf(Int32Array);
  });

  it('visits each training example once per shuffled epoch, in a new order each epoch', async () => {
    const [train] = await loadDataFashionMnist(256, real);
    const counts = new Array(10).fill(0);
    const firstLabels = (e: number) => {
      const [first] = train.epoch(e, 0);
      return [...(first?.y ?? [])];
    };
    for (const batch of train.epoch(3)) for (const label of batch.y) counts[label]++;
    expect(counts).toEqual(new Array(10).fill(6000));
    expect(firstLabels(0)).not.toEqual(firstLabels(1));
  });
});
