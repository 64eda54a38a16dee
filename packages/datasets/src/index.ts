export { ContentError } from './content-error.js';
export { createDataIter, type DataIterOptions } from './data-iter.js';
export { DatasetError } from './dataset-error.js';
export { DownloadError, type DownloadProgress } from './download.js';
export { type FashionMnist, type FileSource, loadFashionMnist } from './fashion-mnist.js';
export {
  type ChecksumTable,
  type ExpectedContent,
  FASHION_MNIST_CHECKSUMS,
  FASHION_MNIST_FILES,
  FASHION_MNIST_MIRROR,
  type FashionMnistFile,
  SYSTEM_DATASET_DIR,
} from './files.js';
export { type IdxArray, parseIdx } from './idx.js';
export type { ImageSet } from './image-set.js';
export { FASHION_MNIST_LABELS, type FashionMnistLabel, getFashionMnistLabels } from './labels.js';
export { type LoadDataOptions, loadDataFashionMnist } from './load-data.js';
export { defaultCacheDir, type PlaceKind, type SearchPlace, searchPlaces } from './locate.js';
export { clearFashionMnistMemoryCache } from './memory-cache.js';
export type { FashionMnistOptions } from './options.js';
export { type SplitOptions, splitTrainValidation, type TrainValidationSplit } from './split.js';
export { encodeIdx, type SyntheticOptions, writeSyntheticFashionMnist } from './synthetic.js';
export { sha256Hex } from './verify.js';
