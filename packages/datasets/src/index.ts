/** `@xbackend/datasets` for Node: the browser-safe part, plus finding, downloading and caching the files. */

export type { DownloadProgress } from './download.js';
export { type FashionMnist, type FileSource, loadFashionMnist } from './fashion-mnist.js';
export { FASHION_MNIST_MIRROR, SYSTEM_DATASET_DIR } from './files.js';
export { type LoadDataOptions, loadDataFashionMnist } from './load-data.js';
export { defaultCacheDir, type PlaceKind } from './locate.js';
export { clearFashionMnistMemoryCache } from './memory-cache.js';
export type { FashionMnistOptions } from './options.js';
export * from './portable.js';
export { type SyntheticOptions, writeSyntheticFashionMnist } from './synthetic.js';
