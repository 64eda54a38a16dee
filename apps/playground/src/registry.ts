import tfjsWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import tfjsWasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import tfjsWasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { type BackendRegistry, defaultRegistry } from '@xbackend/core';

/**
 * The page's backends: the shipped short names, each bound to a loader so that the bundler sees the import and
 * splits every framework into its own chunk, loaded only when picked. tfjs is told where the bundler put its .wasm.
 */
export const registry: BackendRegistry = defaultRegistry.with({
  reference: () => import('@xbackend/backend-reference'),
  onnxruntime: () => import('@xbackend/backend-onnxruntime'),
  tfjs: async () =>
    (await import('@xbackend/backend-tfjs')).tfjsAdapter({
      wasmPaths: {
        'tfjs-backend-wasm.wasm': tfjsWasm,
        'tfjs-backend-wasm-simd.wasm': tfjsWasmSimd,
        'tfjs-backend-wasm-threaded-simd.wasm': tfjsWasmThreadedSimd,
      },
    }),
  gpujs: () => import('@xbackend/backend-gpujs'),
});
