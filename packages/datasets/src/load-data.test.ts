import { InvalidArgumentError } from '@xbackend/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type LoadDataOptions, loadDataFashionMnist } from './load-data.js';
import { makeFixture, tempDir, writeFixture } from './test-fixtures.js';

const fixture = makeFixture(70, 25, 4, 5);
let root: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  vi.stubEnv('FASHION_MNIST_DIR', '');
  ({ dir: root, cleanup } = await tempDir());
  await writeFixture(root, fixture);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await cleanup();
});

const options = (extra: LoadDataOptions = {}): LoadDataOptions => ({
  root,
  cacheDir: root,
  systemDir: root,
  download: false,
  checksums: fixture.checksums,
  ...extra,
});

/** Labels of one pass, which identify the order (fixture labels follow the example index). */
function labelsOf(batches: Iterable<{ y: Int32Array }>): number[] {
  // Read as drawn: a batch's buffers are reused for the next one.
  return Array.from(batches, (b) => [...b.y]).flat();
}

describe('loadDataFashionMnist', () => {
  it('returns [trainIter, testIter] with d2l batching: last partial batch kept', async () => {
    const [train, test] = await loadDataFashionMnist(16, options());
    expect([train.numExamples, train.batchSize, train.numBatches, train.numClasses]).toEqual([70, 16, 5, 10]);
    expect([test.numExamples, test.numBatches]).toEqual([25, 2]);
    expect(train.sampleShape).toEqual([1, 4, 5]);
    expect([...train.epoch(0)].map((b) => b.size)).toEqual([16, 16, 16, 16, 6]);
    const [first] = test.epoch(0);
    expect(first?.x.length).toBe(16 * 20);
    expect(first?.x[1]).toBe(Math.fround((fixture.test.images[1] as number) / 255));
  });

  it('shuffles the training set per epoch from the seed, and never the test set', async () => {
    const [train, test] = await loadDataFashionMnist(16, options({ seed: 11 }));
    const [again] = await loadDataFashionMnist(16, options({ seed: 11 }));
    const [other] = await loadDataFashionMnist(16, options({ seed: 12 }));
    expect(labelsOf(train.epoch(0))).not.toEqual(labelsOf(train.epoch(1)));
    expect(labelsOf(train.epoch(1))).toEqual(labelsOf(again.epoch(1)));
    expect(labelsOf(train.epoch(1))).not.toEqual(labelsOf(other.epoch(1)));
    expect(labelsOf(test)).toEqual([...fixture.test.labels]);
    expect(labelsOf(test)).toEqual([...fixture.test.labels]);
  });

  it('resizes like d2l when asked', async () => {
    const [train, test] = await loadDataFashionMnist(8, options({ resize: 12 }));
    expect(train.sampleShape).toEqual([1, 12, 12]);
    expect(test.sampleShape).toEqual([1, 12, 12]);
    const [batch] = test.epoch(0);
    expect(batch?.x.length).toBe(8 * 144);
    expect(batch?.x.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('rejects a bad batch size or option before loading anything', async () => {
    await expect(loadDataFashionMnist(0)).rejects.toThrow('batchSize must be a positive integer, got 0.');
    await expect(loadDataFashionMnist(2.5)).rejects.toThrow(InvalidArgumentError);
    await expect(loadDataFashionMnist('256' as never)).rejects.toThrow('batchSize must be a positive integer, got "256".');
    await expect(loadDataFashionMnist(256, { resize: -1 })).rejects.toThrow('resize must be a positive integer, got -1.');
    await expect(loadDataFashionMnist(256, { seed: 1.5 })).rejects.toThrow('seed must be an integer, got 1.5.');
    await expect(loadDataFashionMnist(256, { batch: 3 } as never)).rejects.toThrow(/Unknown option batch\. Known options: .*seed, resize/);
  });
});
