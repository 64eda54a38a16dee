import { type DataIter, InvalidArgumentError } from '@xbackend/core';
import { createDataIter, type ImageSet, loadFashionMnist } from '@xbackend/datasets';
import type { DataSpec } from './protocol.js';

function firstExamples(set: ImageSet, count: number | undefined, flag: string): ImageSet {
  if (count === undefined) return set;
  if (count > set.count)
    throw new InvalidArgumentError(`${flag} ${count} exceeds the ${set.count} examples in the data set; use at most ${set.count}.`);
  const pixels = set.rows * set.cols;
  return { ...set, count, images: set.images.subarray(0, count * pixels), labels: set.labels.subarray(0, count) };
}

/**
 * d2l's `load_data_fashion_mnist` (training set reshuffled every epoch from the seed, test set in file order, last
 * partial batch kept), optionally cut to the first examples so tests do tiny work. Every run of a bench builds
 * these from the same arguments, so every backend sees the same batches in the same order.
 */
/** A run's data: the iterators every adapter trains on, and the same examples as stored (for the Python peers). */
export interface BenchData {
  readonly train: DataIter;
  readonly test: DataIter;
  readonly sets: { readonly train: ImageSet; readonly test: ImageSet };
}

export async function loadBenchData(spec: DataSpec, batchSize: number, seed: number): Promise<BenchData> {
  const data = await loadFashionMnist({
    ...(spec.dataDir === undefined ? {} : { root: spec.dataDir }),
    ...(spec.verify ? {} : { checksums: false as const }),
    download: spec.download,
    progress: false,
  });
  const train = firstExamples(data.train, spec.trainExamples, '--train-examples');
  const test = firstExamples(data.test, spec.testExamples, '--test-examples');
  const iter = (set: ImageSet, shuffle: boolean) =>
    createDataIter(set.images, set.labels, { batchSize, shuffle, seed, sampleShape: [1, set.rows, set.cols] });
  return { train: iter(train, true), test: iter(test, false), sets: { train, test } };
}
