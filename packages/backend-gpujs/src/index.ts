export { adapter } from './adapter.js';
export type { GpuJsMode, GpuJsWebMode } from './gpujs-api.js';
