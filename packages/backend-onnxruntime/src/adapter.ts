import type { BackendAdapter } from '@xbackend/core';
import { ONNX_ENGINES } from '#engines';

/**
 * onnxruntime running training graphs built in TypeScript. In Node: onnxruntime-node's 'cpu' (the default), then
 * 'cuda'. In a browser: onnxruntime-web's 'wasm' (the default), then 'webgpu'.
 */
export const adapter: BackendAdapter = {
  name: 'onnxruntime',
  description:
    'onnxruntime InferenceSession (onnxruntime-node, or onnxruntime-web in a browser) running training graphs built in TypeScript (ONNX opset 18)',
  engines: ONNX_ENGINES,
};
