export type { WasmPaths } from './activate.js';
export { adapter, tfjsAdapter } from './adapter.js';
export type { Details, TfjsEngineName } from './runtime.js';
export type { TfjsAdapterOptions } from './tfjs-engine.js';
export { type IdiomaticEpochMetrics, type IdiomaticTrainOptions, type IdiomaticTrainResult, trainIdiomatic } from './train-idiomatic.js';
