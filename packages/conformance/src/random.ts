/** Seeded model specs, parameters and batches for adapter unit tests: the same seed gives the same values everywhere. */
import {
  allocate,
  type Batch,
  type DType,
  type LayerSpec,
  type ModelSpec,
  type ParameterTensor,
  parameterShapes,
  Rng,
  sizeOf,
} from '@xbackend/core';

/** Flatten, Linear: softmax regression on examples of `inputShape`. */
export function softmaxSpec(inputShape: readonly number[], numClasses: number): ModelSpec {
  return {
    layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: sizeOf(inputShape), outFeatures: numClasses }],
    inputShape,
    numClasses,
  };
}

/** Flatten, then Linear + ReLU per hidden width, then Linear to the logits (§4.3's concise MLP with `[256]`). */
export function mlpSpec(inputShape: readonly number[], hidden: readonly number[], numClasses: number): ModelSpec {
  const layers: LayerSpec[] = [{ kind: 'flatten' }];
  let features = sizeOf(inputShape);
  for (const width of hidden) {
    layers.push({ kind: 'linear', inFeatures: features, outFeatures: width }, { kind: 'relu' });
    features = width;
  }
  layers.push({ kind: 'linear', inFeatures: features, outFeatures: numClasses });
  return { layers, inputShape, numClasses };
}

/**
 * Weights and biases drawn from N(0, std), rounded to float32 so that float32 and float64 backends start from identical
 * values, stored in `dtype` (that of the backend they are compiled on; core casts them itself, adapters do not).
 */
export function randomParameters(
  spec: ModelSpec,
  seed: number,
  { std = 0.3, dtype = 'float32' }: { std?: number; dtype?: DType } = {},
): ParameterTensor[] {
  const rng = Rng.seeded(seed, 'parameters');
  return parameterShapes(spec.layers).map(({ name, shape }) => {
    const data = allocate(dtype, sizeOf(shape));
    for (let i = 0; i < data.length; i++) data[i] = Math.fround(std * rng.normal());
    return { name, shape, data };
  });
}

/** `size` examples with pixels uniform in [0, 1) (or [-1, 1) when `signed`) and uniform labels. */
export function randomBatch(spec: ModelSpec, size: number, seed: number, { signed = false } = {}): Batch {
  const rng = Rng.seeded(seed, 'batch');
  return {
    x: Float32Array.from({ length: size * sizeOf(spec.inputShape) }, () => (signed ? 2 * rng.uniform() - 1 : rng.uniform())),
    y: Int32Array.from({ length: size }, () => rng.int(0, spec.numClasses - 1)),
    size,
    sampleShape: spec.inputShape,
  };
}

/** The first `size` examples of a batch (a partial batch, as the last one of an epoch). */
export function headOf(batch: Batch, size: number): Batch {
  const features = sizeOf(batch.sampleShape);
  return { x: batch.x.subarray(0, size * features), y: batch.y.subarray(0, size), size, sampleShape: batch.sampleShape };
}
