import type { ExportOptions } from '@xbackend/backend-onnxruntime';
import type { ModelSpec, ParameterTensor } from '@xbackend/core';
import { writeFileAtomic } from '@xbackend/core/node';
import { assertFinite } from '@xbackend/runs';

export type OnnxInputLayout = NonNullable<ExportOptions['inputLayout']>;

/**
 * Writes a plain inference ONNX model (input `images`, outputs `logits` and `probabilities`), built by the
 * onnxruntime adapter's `buildOnnxModel`, atomically. It needs only host weights, so a model trained on any backend
 * exports the same way. The adapter is imported on demand: the CLI runs without onnxruntime-node until an export
 * is asked for.
 */
export async function exportOnnx(
  params: readonly ParameterTensor[],
  model: ModelSpec,
  path: string,
  inputLayout: OnnxInputLayout = 'image',
): Promise<{ path: string; bytes: number }> {
  assertFinite(params, `the ONNX model ${path}`);
  const { buildOnnxModel } = await import('@xbackend/backend-onnxruntime');
  const bytes = buildOnnxModel(params, model, { inputLayout });
  await writeFileAtomic(path, bytes);
  return { path, bytes: bytes.length };
}
