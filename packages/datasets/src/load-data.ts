import type { DataIter } from '@xbackend/core';
import { checkKnownKeys } from './check.js';
import { loadWithResolvedOptions } from './fashion-mnist.js';
import { checkIteratorArgs, fashionMnistIters, type IteratorOptions } from './iterators.js';
import { FASHION_MNIST_OPTION_KEYS, type FashionMnistOptions, resolveOptions } from './options.js';

export interface LoadDataOptions extends FashionMnistOptions, IteratorOptions {}

/**
 * d2l `load_data_fashion_mnist`: `[trainIter, testIter]`. The training set is reshuffled every epoch from the
 * seed; the test set keeps file order; the last partial batch is kept.
 */
export async function loadDataFashionMnist(
  batchSize: number,
  options: LoadDataOptions = {},
): Promise<[trainIter: DataIter, testIter: DataIter]> {
  checkKnownKeys(options, [...FASHION_MNIST_OPTION_KEYS, 'seed', 'resize']);
  const { seed, resize, ...loadOptions } = options;
  const iterArgs = checkIteratorArgs(batchSize, { seed, resize });
  // Every option is checked before any file is touched, so a typo never costs a download.
  return fashionMnistIters(await loadWithResolvedOptions(resolveOptions(loadOptions)), batchSize, iterArgs);
}
