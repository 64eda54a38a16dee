import { InvalidArgumentError, type ModelSpec, type ParameterTensor, validateModel, writeFileAtomic } from '@xbackend/core';
import { buildInferenceGraph, checkLayers, type InferenceGraphOptions } from './model-graphs.js';
import { orderParameters } from './parameters.js';

export type ExportOptions = InferenceGraphOptions;

/**
 * Serialises a plain inference ONNX model (input `images`, outputs `logits` and `probabilities`) with `params` as
 * float32 initializers. Needs only host parameters, so weights trained on any backend export the same way.
 */
export function buildOnnxModel(params: readonly ParameterTensor[], spec: ModelSpec, options: ExportOptions = {}): Uint8Array {
  if (options.inputLayout !== undefined && options.inputLayout !== 'image' && options.inputLayout !== 'flat') {
    throw new InvalidArgumentError(`exportOnnxModel: inputLayout must be 'image' or 'flat', got '${String(options.inputLayout)}'.`);
  }
  checkLayers(spec);
  validateModel(spec);
  const weights = new Map(orderParameters(spec, params, 'exportOnnxModel').map((p) => [p.name, Float32Array.from(p.data)] as const));
  for (const [name, data] of weights) {
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new InvalidArgumentError(
        `exportOnnxModel: parameter '${name}' holds ${data[bad]} at index ${bad} (as float32); only finite weights can be exported.`,
      );
  }
  return buildInferenceGraph(spec, weights, options).encode(`xbackend classifier: ${spec.layers.map((l) => l.kind).join(' → ')}`);
}

/** Writes `buildOnnxModel(...)` to `path` atomically; returns the number of bytes written. */
export async function exportOnnxModel(
  params: readonly ParameterTensor[],
  spec: ModelSpec,
  path: string,
  options: ExportOptions = {},
): Promise<{ path: string; bytes: number }> {
  const bytes = buildOnnxModel(params, spec, options);
  await writeFileAtomic(path, bytes);
  return { path, bytes: bytes.byteLength };
}
