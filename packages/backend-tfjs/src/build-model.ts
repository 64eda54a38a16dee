import { describeLayer, type LayerSpec, type ModelSpec, type ParameterTensor, UnsupportedLayerError } from '@xbackend/core';
import type { LayersSequential, Tfc, TfLayer, Tfl } from './tfjs-modules.js';
import { transpose } from './transpose.js';

/** A Linear layer of the spec and the Dense layer that implements it. */
export interface DenseSlot {
  /** Index of the layer in the spec: the `i` of `${i}.weight`. */
  readonly index: number;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly layer: TfLayer;
}

export interface BuiltModel {
  readonly model: LayersSequential;
  readonly dense: readonly DenseSlot[];
}

export interface BuildOptions {
  /** Keras-style L2 factor on every kernel and bias (adds `l2·Σw²` to the loss); the idiomatic baseline's weight decay. */
  readonly l2?: number;
}

/** The layers built here. */
const BUILDABLE: readonly LayerSpec['kind'][] = ['flatten', 'linear', 'relu'];

/**
 * Refuses, before any engine starts, a model with layers other than Flatten, Linear and ReLU (LeNet's). A tf.layers
 * convolution trains with tfjs's own gradient, which cannot run on tfjs/wasm (tfjs-backend-wasm has no
 * Conv2DBackpropFilter kernel) and takes 15 s per batch of 256 for LeNet's filters on tfjs/cpu (measured), so this
 * baseline has nothing to compare there; the adapter trains such models with gradients of its own.
 */
export function checkBuildable(layers: readonly LayerSpec[]): void {
  const index = layers.findIndex((layer) => !BUILDABLE.includes(layer.kind));
  const layer = layers[index];
  if (!layer) return;
  throw new UnsupportedLayerError(
    'tfjs-idiomatic',
    `${index} (${describeLayer(layer)})`,
    "trainIdiomatic, the plain tf.layers baseline, builds Flatten, Linear and ReLU layers only (tf.layers' convolutions cannot " +
      "train on tfjs/wasm, whose backend has no Conv2DBackpropFilter kernel); train this model with loadBackend('tfjs')",
  );
}

function tfLayer(tfl: Tfl, layer: LayerSpec, options: BuildOptions): TfLayer {
  const regularizer = options.l2
    ? { kernelRegularizer: tfl.regularizers.l2({ l2: options.l2 }), biasRegularizer: tfl.regularizers.l2({ l2: options.l2 }) }
    : {};
  switch (layer.kind) {
    case 'flatten':
      return tfl.layers.flatten();
    case 'relu':
      return tfl.layers.reLU();
    case 'linear':
      // Zeros: the real initial weights come from core and are uploaded right after.
      return tfl.layers.dense({ units: layer.outFeatures, kernelInitializer: 'zeros', biasInitializer: 'zeros', ...regularizer });
    default:
      throw new UnsupportedLayerError('tfjs', (layer as { kind: string }).kind);
  }
}

/**
 * The spec as a `tf.sequential` of tf.layers (an input layer, then Flatten, Dense, ReLU). A Flatten of examples that
 * are already flat is left out: it is the identity, and tf.layers.flatten rejects rank-2 input. Creates the
 * variables on the active tfjs backend, so call it inside the runtime's `run`.
 */
export function buildSequential(tfl: Tfl, spec: ModelSpec, options: BuildOptions = {}): BuiltModel {
  const layers: TfLayer[] = [tfl.layers.inputLayer({ inputShape: [...spec.inputShape] })];
  const dense: DenseSlot[] = [];
  let flat = spec.inputShape.length === 1;
  spec.layers.forEach((layer, index) => {
    if (layer.kind === 'flatten' && flat) return;
    const built = tfLayer(tfl, layer, options);
    layers.push(built);
    if (layer.kind === 'flatten') flat = true;
    if (layer.kind === 'linear') dense.push({ index, inFeatures: layer.inFeatures, outFeatures: layer.outFeatures, layer: built });
  });
  return { model: tfl.sequential({ layers }), dense };
}

/** Uploads PyTorch-layout parameters (`[out, in]` weights, checked by core) into the Dense layers (`[in, out]` kernels). */
export function uploadParameters(tf: Tfc, built: BuiltModel, list: readonly ParameterTensor[]): void {
  const params = new Map(list.map((p) => [p.name, p]));
  tf.tidy(() => {
    for (const slot of built.dense) {
      const weight = params.get(`${slot.index}.weight`);
      const bias = params.get(`${slot.index}.bias`);
      if (!weight || !bias) throw new Error(`internal: no parameters for layer ${slot.index}`);
      slot.layer.setWeights([
        tf.tensor2d(transpose(weight.data, slot.outFeatures, slot.inFeatures), [slot.inFeatures, slot.outFeatures], 'float32'),
        tf.tensor1d(Float32Array.from(bias.data), 'float32'),
      ]);
    }
  });
}

/** Host copies of the Dense layers' parameters in PyTorch layout, in spec order. */
export async function downloadParameters(built: BuiltModel): Promise<ParameterTensor[]> {
  const out: ParameterTensor[] = [];
  for (const slot of built.dense) {
    // getWeights returns the layer's own variables: read them, never dispose them.
    const [kernel, bias] = slot.layer.getWeights();
    if (!kernel || !bias) throw new Error(`internal: Dense layer ${slot.index} has no weights`);
    const kernelData = await kernel.data<'float32'>();
    out.push({
      name: `${slot.index}.weight`,
      shape: [slot.outFeatures, slot.inFeatures],
      data: transpose(kernelData, slot.inFeatures, slot.outFeatures),
    });
    out.push({ name: `${slot.index}.bias`, shape: [slot.outFeatures], data: Float32Array.from(await bias.data<'float32'>()) });
  }
  return out;
}
