/**
 * Type-only views of the TensorFlow.js packages. The packages themselves are imported dynamically when an engine
 * starts, so importing this adapter never touches tfjs's global engine.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export type Tfc = typeof tfc;
export type Tfl = typeof tfl;
export type Tensor = tfc.Tensor;
export type Variable = tfc.Variable;
export type LayersSequential = tfl.Sequential;
/** A tf.layers layer, as `tf.sequential` takes it. */
export type TfLayer = NonNullable<tfl.SequentialArgs['layers']>[number];

/** Loads tfjs-core and tfjs-layers (which registers the gradients of every op). */
export async function importTfjs(): Promise<{ tf: Tfc; tfl: Tfl }> {
  const [tf, layers] = await Promise.all([import('@tensorflow/tfjs-core'), import('@tensorflow/tfjs-layers')]);
  return { tf, tfl: layers };
}
