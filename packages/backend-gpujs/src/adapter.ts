import type { BackendAdapter } from '@xbackend/core';
import { engines } from './engines.js';
import { BACKEND_NAME } from './gpujs-backend.js';

export const adapter: BackendAdapter = {
  name: BACKEND_NAME,
  description: 'gpu.js kernels (GEMM, stable softmax cross-entropy, SGD) in single precision: headlessgl, webasm, cpu',
  engines,
};
