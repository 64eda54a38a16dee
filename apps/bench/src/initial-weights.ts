import { adapter as reference } from '@xbackend/backend-reference';
import { type DataIter, type LayerSpec, loadBackend, type ParameterTensor, presetLayers, sequentialOf } from '@xbackend/core';

/**
 * The book's model and its initial weights exactly as `loadBackend` gives them to any adapter for this seed: core's
 * seeded N(0, std) initializer, float32. Baselines that train without an adapter (tfjs-idiomatic, the floors, the
 * Python peers) start from these, so every row starts from the same weights.
 */
export async function initialWeights(
  train: DataIter,
  seed: number,
  initStd: number,
): Promise<{ layers: readonly LayerSpec[]; initial: ParameterTensor[] }> {
  // Core's seeded initializer needs a backend to hang the model on; the reference one costs nothing to create.
  const host = await loadBackend(reference, { engine: 'float32', seed });
  try {
    const net = sequentialOf(host.nn, presetLayers('softmax', train.sampleShape, train.numClasses));
    net.apply(host.init.normal({ std: initStd }));
    return { layers: net.layers, initial: await net.stateDict() };
  } finally {
    await host.dispose();
  }
}
