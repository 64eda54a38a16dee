export { adapter } from './adapter.js';
export type { Details, TfjsEngineName } from './runtime.js';
export { type IdiomaticEpochMetrics, type IdiomaticTrainOptions, type IdiomaticTrainResult, trainIdiomatic } from './train-idiomatic.js';
