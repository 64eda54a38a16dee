/** Loading gpu.js in Node, where its CommonJS entry also brings the headless-gl kernels. */
import { createRequire } from 'node:module';
import type { GpuJsModule } from './gpujs-api.js';

const require = createRequire(import.meta.url);

/** Loads gpu.js on first use (it loads the native `gl` module when present, so never at import time). */
export function loadGpuJs(): GpuJsModule {
  return require('gpu.js') as GpuJsModule;
}

export function gpuJsVersion(): string {
  try {
    return (require('gpu.js/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
