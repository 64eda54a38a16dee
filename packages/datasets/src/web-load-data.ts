import type { DataIter } from '@xbackend/core';
import { checkKnownKeys } from './check.js';
import { checkIteratorArgs, fashionMnistIters, type IteratorOptions } from './iterators.js';
import { loadFashionMnist, WEB_OPTION_KEYS, type WebFashionMnistOptions } from './web-load.js';

export interface LoadDataOptions extends WebFashionMnistOptions, IteratorOptions {}

/**
 * d2l `load_data_fashion_mnist` in a browser: `[trainIter, testIter]`, the same iterators as in Node (the training
 * set reshuffled every epoch from the seed, the test set in file order), over files fetched from the page's server.
 */
export async function loadDataFashionMnist(
  batchSize: number,
  options: LoadDataOptions = {},
): Promise<[trainIter: DataIter, testIter: DataIter]> {
  checkKnownKeys(options, [...WEB_OPTION_KEYS, 'seed', 'resize']);
  const { seed, resize, ...loadOptions } = options;
  const iterArgs = checkIteratorArgs(batchSize, { seed, resize });
  return fashionMnistIters(await loadFashionMnist(loadOptions), batchSize, iterArgs);
}
