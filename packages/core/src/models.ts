import type { LayerSpec } from './backend.js';
import type { Layer, Module, Nn } from './nn.js';
import { sizeOf } from './tensor.js';

/** d2l §3.7's run: batch 256, lr 0.1, 10 epochs, weights from N(0, 0.01), seed 0. Every app starts from these. */
export const D2L_DEFAULTS = Object.freeze({ batchSize: 256, lr: 0.1, numEpochs: 10, initStd: 0.01, seed: 0 });

/** The chapter's models: §3.7 softmax regression and §4.3's concise MLP (one hidden layer of 256). */
export type ModelPreset = 'softmax' | 'mlp';

export const MODEL_PRESETS: readonly ModelPreset[] = ['softmax', 'mlp'];

/** The layers of a preset for examples of `inputShape` and `numClasses` classes. */
export function presetLayers(preset: ModelPreset, inputShape: readonly number[], numClasses: number): LayerSpec[] {
  const inFeatures = sizeOf(inputShape);
  return preset === 'softmax'
    ? [{ kind: 'flatten' }, { kind: 'linear', inFeatures, outFeatures: numClasses }]
    : [
        { kind: 'flatten' },
        { kind: 'linear', inFeatures, outFeatures: 256 },
        { kind: 'relu' },
        { kind: 'linear', inFeatures: 256, outFeatures: numClasses },
      ];
}

/** `nn.Sequential(...)` of a layer list (a preset's, or a checkpoint's model), on whatever backend `nn` belongs to. */
export function sequentialOf(nn: Nn, layers: readonly LayerSpec[]): Module {
  const layer = (spec: LayerSpec): Layer => {
    switch (spec.kind) {
      case 'flatten':
        return nn.Flatten();
      case 'linear':
        return nn.Linear(spec.inFeatures, spec.outFeatures);
      case 'relu':
        return nn.ReLU();
    }
  };
  return nn.Sequential(...layers.map(layer));
}
