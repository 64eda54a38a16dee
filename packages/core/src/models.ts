import type { LayerSpec } from './backend.js';
import { type Initializer, normal, xavierUniform } from './init.js';
import { layerShapes } from './layer-shapes.js';
import type { Layer, Module, Nn } from './nn.js';
import { sizeOf } from './tensor.js';

/** d2l §3.7's run: batch 256, lr 0.1, 10 epochs, weights from N(0, 0.01), seed 0. Every app starts from these. */
export const D2L_DEFAULTS = Object.freeze({ batchSize: 256, lr: 0.1, numEpochs: 10, initStd: 0.01, seed: 0 });

/** The book's Fashion-MNIST models: §3.7 softmax regression, §4.3's concise MLP (one hidden layer of 256), §7.6 LeNet. */
export type ModelPreset = 'softmax' | 'mlp' | 'lenet';

export const MODEL_PRESETS: readonly ModelPreset[] = ['softmax', 'mlp', 'lenet'];

/** How the book initialises and trains a preset (batch size, epochs and seed are `D2L_DEFAULTS`' for all three). */
export interface PresetTraining {
  readonly lr: number;
  /** How the book initialises the weights, in words (for reports and run records). */
  readonly init: string;
  readonly initializer: () => Initializer;
}

export const PRESET_TRAINING: Readonly<Record<ModelPreset, PresetTraining>> = Object.freeze({
  softmax: { lr: D2L_DEFAULTS.lr, init: `normal(0, ${D2L_DEFAULTS.initStd})`, initializer: () => normal({ std: D2L_DEFAULTS.initStd }) },
  mlp: { lr: D2L_DEFAULTS.lr, init: `normal(0, ${D2L_DEFAULTS.initStd})`, initializer: () => normal({ std: D2L_DEFAULTS.initStd }) },
  // §7.6's train_ch6: Xavier-uniform weights, lr 0.9.
  lenet: { lr: 0.9, init: 'xavierUniform', initializer: () => xavierUniform() },
});

/** The layers of a preset for examples of `inputShape` (`[channels, height, width]` for LeNet) and `numClasses` classes. */
export function presetLayers(preset: ModelPreset, inputShape: readonly number[], numClasses: number): LayerSpec[] {
  const inFeatures = sizeOf(inputShape);
  switch (preset) {
    case 'softmax':
      return [{ kind: 'flatten' }, { kind: 'linear', inFeatures, outFeatures: numClasses }];
    case 'mlp':
      return [
        { kind: 'flatten' },
        { kind: 'linear', inFeatures, outFeatures: 256 },
        { kind: 'relu' },
        { kind: 'linear', inFeatures: 256, outFeatures: numClasses },
      ];
    case 'lenet':
      return lenetLayers(inputShape, numClasses);
  }
}

/**
 * §7.6's LeNet: Conv2d(c, 6, 5, padding 2), Sigmoid, AvgPool2d(2), Conv2d(6, 16, 5), Sigmoid, AvgPool2d(2), Flatten,
 * Linear(400, 120), Sigmoid, Linear(120, 84), Sigmoid, Linear(84, classes). The first Linear takes whatever the
 * convolutions leave of `inputShape` (400 for 28×28).
 */
function lenetLayers(inputShape: readonly number[], numClasses: number): LayerSpec[] {
  const one: readonly [number, number] = [1, 1];
  const two: readonly [number, number] = [2, 2];
  const five: readonly [number, number] = [5, 5];
  const features: LayerSpec[] = [
    { kind: 'conv2d', inChannels: inputShape[0] ?? 1, outChannels: 6, kernelSize: five, stride: one, padding: two },
    { kind: 'sigmoid' },
    { kind: 'avgpool2d', kernelSize: two, stride: two },
    { kind: 'conv2d', inChannels: 6, outChannels: 16, kernelSize: five, stride: one, padding: [0, 0] },
    { kind: 'sigmoid' },
    { kind: 'avgpool2d', kernelSize: two, stride: two },
    { kind: 'flatten' },
  ];
  const flat = sizeOf(layerShapes(features, inputShape).at(-1) as number[]);
  return [
    ...features,
    { kind: 'linear', inFeatures: flat, outFeatures: 120 },
    { kind: 'sigmoid' },
    { kind: 'linear', inFeatures: 120, outFeatures: 84 },
    { kind: 'sigmoid' },
    { kind: 'linear', inFeatures: 84, outFeatures: numClasses },
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
      case 'sigmoid':
        return nn.Sigmoid();
      case 'conv2d':
        return nn.Conv2d(spec.inChannels, spec.outChannels, { kernelSize: spec.kernelSize, stride: spec.stride, padding: spec.padding });
      case 'avgpool2d':
        return nn.AvgPool2d({ kernelSize: spec.kernelSize, stride: spec.stride });
      case 'maxpool2d':
        return nn.MaxPool2d({ kernelSize: spec.kernelSize, stride: spec.stride });
    }
  };
  return nn.Sequential(...layers.map(layer));
}
