import { adapter as reference } from '@xbackend/backend-reference';
import {
  type DataIter,
  type LayerSpec,
  loadBackend,
  type ModelPreset,
  type ParameterTensor,
  presetLayers,
  sequentialOf,
} from '@xbackend/core';
import { initializerOf, type WeightInit } from '@xbackend/runs';

/**
 * The model and its initial weights exactly as `loadBackend` gives them to any adapter for this seed: core's seeded
 * initializer (N(0, std), or LeNet's xavierUniform), float32. Baselines that train without an adapter (tfjs-idiomatic,
 * the floors, the Python peers) start from these, so every row starts from the same weights.
 */
export async function initialWeights(
  train: DataIter,
  request: { readonly seed: number; readonly model: ModelPreset; readonly init: WeightInit },
): Promise<{ layers: readonly LayerSpec[]; initial: ParameterTensor[] }> {
  // Core's seeded initializer needs a backend to hang the model on; the reference one costs nothing to create.
  const host = await loadBackend(reference, { engine: 'float32', seed: request.seed });
  try {
    const net = sequentialOf(host.nn, presetLayers(request.model, train.sampleShape, train.numClasses));
    net.apply(initializerOf(request.init));
    return { layers: net.layers, initial: await net.stateDict() };
  } finally {
    await host.dispose();
  }
}
