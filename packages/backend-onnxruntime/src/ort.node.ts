/** onnxruntime in Node (`#ort` under the `node` and default conditions): onnxruntime-node's native library. */
import type * as OrtNode from 'onnxruntime-node';

export type OrtNodeModule = typeof OrtNode;

let loading: Promise<OrtNodeModule> | undefined;

/** Imports onnxruntime-node on first use (it loads a native library and registers itself), never at import time. */
export function loadOrt(): Promise<OrtNodeModule> {
  loading ??= import('onnxruntime-node').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
