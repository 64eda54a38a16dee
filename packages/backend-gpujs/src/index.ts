export { adapter } from './adapter.js';
export { ENGINE_MODES } from './engines.js';
export type { GpuJsMode } from './gpujs-api.js';
export { FLOAT32_EPSILON, GPUJS_TOLERANCES, type GpuJsTolerance } from './tolerances.js';
