import type { BackendAdapter } from '@xbackend/core';
import { cpuEngine, cudaEngine } from './engines.js';

/** onnxruntime-node; 'cpu' first, so it is the default, and 'cuda' only when asked for by name or when cpu is missing. */
export const adapter: BackendAdapter = {
  name: 'onnxruntime',
  description: 'onnxruntime-node InferenceSession running training graphs built in TypeScript (ONNX opset 18)',
  engines: [cpuEngine, cudaEngine],
};
