import type { LayerSpec, Module, Nn } from '@xbackend/core';
import type { ModelDescription } from './run-history.js';

/** d2l §3.7's model: `nn.Sequential(nn.Flatten(), nn.Linear(784, 10))`, sized from the data. */
export function softmaxRegression(inputShape: readonly number[], numClasses: number): ModelDescription {
  const inFeatures = inputShape.reduce((a, b) => a * b, 1);
  return {
    layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures, outFeatures: numClasses }],
    inputShape: [...inputShape],
    numClasses,
  };
}

/** Rebuilds a model from its description (a checkpoint's) on whatever backend `nn` belongs to. */
export function buildModel(nn: Nn, model: ModelDescription): Module {
  const layer = (spec: LayerSpec) => {
    switch (spec.kind) {
      case 'flatten':
        return nn.Flatten();
      case 'linear':
        return nn.Linear(spec.inFeatures, spec.outFeatures);
      case 'relu':
        return nn.ReLU();
    }
  };
  return nn.Sequential(...model.layers.map(layer));
}

/** Index of the largest logit of each row (d2l's `argmax(axis=1)`). */
export function argmaxRows(logits: ArrayLike<number>, numClasses: number): number[] {
  const rows = logits.length / numClasses;
  return Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if ((logits[r * numClasses + c] as number) > (logits[r * numClasses + best] as number)) best = c;
    return best;
  });
}
