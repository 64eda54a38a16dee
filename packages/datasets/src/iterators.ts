import type { DataIter } from '@xbackend/core';
import { integer, positiveInteger } from './check.js';
import { createDataIter } from './data-iter.js';
import type { ImageSet } from './image-set.js';

/** What d2l's loader adds to loading the files: the shuffle seed and an optional resize. */
export interface IteratorOptions {
  /** Seed of the training set's per-epoch shuffle (default 0). */
  seed?: number;
  /** Resize images to `resize × resize` (d2l's `resize`), giving sampleShape `[1, resize, resize]`. */
  resize?: number;
}

/** Checks the loader's own arguments before any file is touched, so a typo never costs a download. */
export function checkIteratorArgs(batchSize: number, options: IteratorOptions): { seed: number; resize: number | undefined } {
  positiveInteger(batchSize, 'batchSize');
  const seed = integer(options.seed ?? 0, 'seed');
  if (options.resize !== undefined) positiveInteger(options.resize, 'resize');
  return { seed, resize: options.resize };
}

/** d2l's pair of loaders: the training set reshuffled every epoch from the seed, the test set in file order. */
export function fashionMnistIters(
  data: { readonly train: ImageSet; readonly test: ImageSet },
  batchSize: number,
  { seed, resize }: { seed: number; resize: number | undefined },
): [trainIter: DataIter, testIter: DataIter] {
  const iter = (set: ImageSet, shuffle: boolean): DataIter =>
    createDataIter(set.images, set.labels, {
      batchSize,
      shuffle,
      seed,
      sampleShape: [1, set.rows, set.cols],
      ...(resize === undefined ? {} : { resize }),
    });
  return [iter(data.train, true), iter(data.test, false)];
}
