import type { BackendAdapter } from '@xbackend/core';
import { engines } from '#engines';
import { BACKEND_NAME } from './gpujs-backend.js';

/** gpu.js. In Node: 'headlessgl', 'webasm', 'cpu'. In a browser: 'webgl2', 'webgl'. */
export const adapter: BackendAdapter = {
  name: BACKEND_NAME,
  description:
    'gpu.js kernels (GEMM, stable softmax cross-entropy, SGD) in single precision: headlessgl, webasm, cpu; webgl2, webgl in a browser',
  engines,
};
