/** onnxruntime in a browser (`#ort` under the `browser` condition): onnxruntime-web, WebAssembly and WebGPU. */
import type * as OrtWeb from 'onnxruntime-web';

export type OrtWebModule = typeof OrtWeb;

let loading: Promise<OrtWebModule> | undefined;

/**
 * Imports onnxruntime-web on first use, never at import time. Its default build finds its `.wasm` next to itself
 * (`new URL(…, import.meta.url)`), which bundlers such as Vite follow and copy.
 */
export function loadOrt(): Promise<OrtWebModule> {
  loading ??= import('onnxruntime-web').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
