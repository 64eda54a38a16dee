import type { ParameterTensor } from '@xbackend/core';
import { assertFinite } from './checkpoint.js';
import type { ModelDescription } from './run-history.js';

export type OnnxInputLayout = 'image' | 'flat';

/**
 * Writes a plain inference ONNX model (input `images`, outputs `logits` and `probabilities`) with the onnxruntime
 * adapter's exporter. It needs only host weights, so a model trained on any backend exports the same way.
 * The adapter is imported on demand: the CLI runs without onnxruntime-node until an export is asked for.
 */
export async function exportOnnx(
  params: readonly ParameterTensor[],
  model: ModelDescription,
  path: string,
  inputLayout: OnnxInputLayout = 'image',
): Promise<{ path: string; bytes: number }> {
  assertFinite(params, `the ONNX model ${path}`);
  const { exportOnnxModel } = await import('@xbackend/backend-onnxruntime');
  return exportOnnxModel(params, { layers: model.layers, inputShape: model.inputShape, numClasses: model.numClasses }, path, {
    inputLayout,
  });
}
