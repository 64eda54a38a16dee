/**
 * `@xbackend/datasets` in a browser (the `browser` condition of the package's main entry): the browser-safe part, plus
 * loading the four files from the page's server with fetch, DecompressionStream, crypto.subtle and Cache Storage.
 * `loadDataFashionMnist(batchSize, options)` is called as in Node.
 */

export * from './portable.js';
export {
  loadFashionMnist,
  type WebFashionMnist,
  type WebFashionMnistOptions,
  type WebFileSource,
  type WebLoadProgress,
} from './web-load.js';
export { type LoadDataOptions, loadDataFashionMnist } from './web-load-data.js';
