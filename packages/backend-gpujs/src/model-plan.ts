import { InvalidArgumentError, type LayerSpec, type ModelSpec, UnsupportedLayerError } from '@xbackend/core';

/** One Linear layer and whether a ReLU follows it (several ReLUs in a row are one ReLU). */
export interface LinearBlock {
  /** Index of the Linear in the Sequential: its parameters are `${layerIndex}.weight` / `.bias`. */
  readonly layerIndex: number;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly reluAfter: boolean;
}

/**
 * A Sequential reduced to what the kernels compute: Flatten is free (examples are already row-major), so the model
 * is a chain of Linear blocks, each optionally followed by ReLU; a ReLU before the first Linear clamps the input.
 */
export interface ModelPlan {
  readonly inputFeatures: number;
  readonly reluInput: boolean;
  readonly blocks: readonly LinearBlock[];
  readonly numClasses: number;
}

export function planModel(spec: ModelSpec, backend: string): ModelPlan {
  const inputFeatures = spec.inputShape.reduce((a, b) => a * b, 1);
  let reluInput = false;
  const blocks: { layerIndex: number; inFeatures: number; outFeatures: number; reluAfter: boolean }[] = [];
  spec.layers.forEach((layer: LayerSpec, i) => {
    switch (layer.kind) {
      case 'flatten':
        return;
      case 'linear':
        blocks.push({ layerIndex: i, inFeatures: layer.inFeatures, outFeatures: layer.outFeatures, reluAfter: false });
        return;
      case 'relu': {
        const last = blocks.at(-1);
        if (last) last.reluAfter = true;
        else reluInput = true;
        return;
      }
      default:
        throw new UnsupportedLayerError(backend, (layer as { kind: string }).kind, 'supported layers are Flatten, Linear and ReLU');
    }
  });
  if (blocks.length === 0) {
    throw new InvalidArgumentError('The model has no Linear layer, so there is nothing to train: add nn.Linear(inFeatures, numClasses).');
  }
  return { inputFeatures, reluInput, blocks, numClasses: spec.numClasses };
}
