import { checkModelSpec, checkParameters, InvalidArgumentError, type ModelSpec, type ParameterTensor } from '@xbackend/core';
import { buildInferenceGraph, type InferenceGraphOptions } from './model-graphs.js';

export type ExportOptions = InferenceGraphOptions;

/**
 * Serialises a plain inference ONNX model (input `images`, outputs `logits` and `probabilities`) with `params` as
 * float32 initializers. Needs only host parameters, so weights trained on any backend export the same way; write the
 * bytes to a `.onnx` file, which any ONNX Runtime (or Netron) opens.
 */
export function buildOnnxModel(params: readonly ParameterTensor[], spec: ModelSpec, options: ExportOptions = {}): Uint8Array {
  if (options.inputLayout !== undefined && options.inputLayout !== 'image' && options.inputLayout !== 'flat') {
    throw new InvalidArgumentError(`buildOnnxModel: inputLayout must be 'image' or 'flat', got '${String(options.inputLayout)}'.`);
  }
  checkModelSpec(spec);
  const weights = new Map(checkParameters(spec.layers, params, 'buildOnnxModel').map((p) => [p.name, Float32Array.from(p.data)] as const));
  for (const [name, data] of weights) {
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new InvalidArgumentError(
        `buildOnnxModel: parameter '${name}' holds ${data[bad]} at index ${bad} (as float32); only finite weights can be exported.`,
      );
  }
  return buildInferenceGraph(spec, weights, options).encode(`xbackend classifier: ${spec.layers.map((l) => l.kind).join(' → ')}`);
}
