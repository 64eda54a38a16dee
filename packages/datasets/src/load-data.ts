import type { DataIter } from '@xbackend/core';
import { createDataIter } from './data-iter.js';
import { loadWithResolvedOptions } from './fashion-mnist.js';
import {
  checkKnownKeys,
  FASHION_MNIST_OPTION_KEYS,
  type FashionMnistOptions,
  integer,
  positiveInteger,
  resolveOptions,
} from './options.js';

export interface LoadDataOptions extends FashionMnistOptions {
  /** Seed of the training set's per-epoch shuffle (default 0). */
  seed?: number;
  /** Resize images to `resize × resize` (d2l's `resize`), giving sampleShape `[1, resize, resize]`. */
  resize?: number;
}

/**
 * d2l `load_data_fashion_mnist`: `[trainIter, testIter]`. The training set is reshuffled every epoch from the
 * seed; the test set keeps file order; the last partial batch is kept.
 */
export async function loadDataFashionMnist(
  batchSize: number,
  options: LoadDataOptions = {},
): Promise<[trainIter: DataIter, testIter: DataIter]> {
  positiveInteger(batchSize, 'batchSize');
  checkKnownKeys(options, [...FASHION_MNIST_OPTION_KEYS, 'seed', 'resize']);
  const { seed = 0, resize, ...loadOptions } = options;
  integer(seed, 'seed');
  if (resize !== undefined) positiveInteger(resize, 'resize');
  // Every option is checked before any file is touched, so a typo never costs a download.
  const data = await loadWithResolvedOptions(resolveOptions(loadOptions));
  const iter = (set: typeof data.train, shuffle: boolean): DataIter =>
    createDataIter(set.images, set.labels, {
      batchSize,
      shuffle,
      seed,
      sampleShape: [1, set.rows, set.cols],
      ...(resize === undefined ? {} : { resize }),
    });
  return [iter(data.train, true), iter(data.test, false)];
}
