/**
 * The browser-safe part of `@xbackend/datasets`: nothing here imports from `node:` or touches the file system, so a
 * page can parse IDX bytes it fetched, batch them and split them. Loading from disk or the network is in the Node
 * entry (`./index.ts`).
 */
export { ContentError } from './content-error.js';
export { createDataIter, type DataIterOptions, epochOrder } from './data-iter.js';
export { DatasetError } from './dataset-error.js';
export { type ChecksumTable, type ExpectedContent, FASHION_MNIST_CHECKSUMS, FASHION_MNIST_FILES, type FashionMnistFile } from './files.js';
export { encodeIdx, type IdxArray, parseIdx } from './idx.js';
export type { ImageSet } from './image-set.js';
export { FASHION_MNIST_LABELS, type FashionMnistLabel, getFashionMnistLabels } from './labels.js';
export { type SplitOptions, splitTrainValidation, type TrainValidationSplit } from './split.js';
