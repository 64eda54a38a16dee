export { adapter } from './adapter.js';
export { buildOnnxModel, type ExportOptions } from './export.js';
export type { GraphBuilder } from './graph.js';
export { buildEvalGraph, buildTrainGraph, NAMES } from './model-graphs.js';
export { OnnxRuntimeError } from './ort.js';
