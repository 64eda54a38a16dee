/**
 * What each layer does to the shape of an example, and which parameters it has: the one shape inference that core's
 * validation, the initializers and every adapter share. Shapes are per example (`[channels, height, width]` or
 * `[features]`), without the batch dimension.
 */
import type { Conv2dSpec, LayerSpec, ModelSpec, Pair, Pool2dSpec } from './backend.js';
import { InvalidArgumentError } from './errors.js';
import { sizeOf } from './tensor.js';

const LAYER_KINDS: readonly LayerSpec['kind'][] = ['flatten', 'linear', 'relu', 'sigmoid', 'conv2d', 'avgpool2d', 'maxpool2d'];

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isPair(value: unknown, min: number): value is Pair {
  return Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min);
}

/** The layer as PyTorch would print it, e.g. `Conv2d(1, 6, kernel 5×5, stride 1×1, padding 2×2)`. */
export function describeLayer(layer: LayerSpec): string {
  const pair = (p: Pair) => `${p[0]}×${p[1]}`;
  switch (layer.kind) {
    case 'flatten':
      return 'Flatten';
    case 'linear':
      return `Linear(${layer.inFeatures}, ${layer.outFeatures})`;
    case 'relu':
      return 'ReLU';
    case 'sigmoid':
      return 'Sigmoid';
    case 'conv2d':
      return `Conv2d(${layer.inChannels}, ${layer.outChannels}, kernel ${pair(layer.kernelSize)}, stride ${pair(layer.stride)}, padding ${pair(layer.padding)})`;
    case 'avgpool2d':
    case 'maxpool2d':
      return `${layer.kind === 'avgpool2d' ? 'AvgPool2d' : 'MaxPool2d'}(kernel ${pair(layer.kernelSize)}, stride ${pair(layer.stride)})`;
  }
}

/** One spatial axis of a window sliding over `size` values (padded by `padding` on both sides). */
function slide(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

function checkFields(layer: LayerSpec, at: string): void {
  const bad = (what: string) => new InvalidArgumentError(`${at} ${describeLayer(layer)}: ${what}.`);
  switch (layer.kind) {
    case 'linear':
      if (!isPositiveInt(layer.inFeatures) || !isPositiveInt(layer.outFeatures)) throw bad('needs positive integer sizes');
      return;
    case 'conv2d':
      if (!isPositiveInt(layer.inChannels) || !isPositiveInt(layer.outChannels)) throw bad('needs positive integer channel counts');
      if (!isPair(layer.kernelSize, 1) || !isPair(layer.stride, 1)) throw bad('kernel size and stride must be pairs of positive integers');
      if (!isPair(layer.padding, 0)) throw bad('padding must be a pair of integers >= 0');
      return;
    case 'avgpool2d':
    case 'maxpool2d':
      if (!isPair(layer.kernelSize, 1) || !isPair(layer.stride, 1)) throw bad('kernel size and stride must be pairs of positive integers');
      return;
    default:
      return;
  }
}

/** The shape of a window layer's output for an input `[c, h, w]`, or the reason it does not fit. */
function windowOutput(layer: Conv2dSpec | Pool2dSpec, input: readonly number[], at: string): number[] {
  const name = describeLayer(layer);
  if (input.length !== 3) {
    throw new InvalidArgumentError(`${at} ${name} needs examples of [channels, height, width], but receives [${input}].`);
  }
  const [channels, height, width] = input as [number, number, number];
  const padding: Pair = layer.kind === 'conv2d' ? layer.padding : [0, 0];
  if (layer.kind === 'conv2d' && layer.inChannels !== channels) {
    throw new InvalidArgumentError(`${at} ${name} needs ${layer.inChannels} input channels, but receives [${input}].`);
  }
  const h = slide(height, layer.kernelSize[0], layer.stride[0], padding[0]);
  const w = slide(width, layer.kernelSize[1], layer.stride[1], padding[1]);
  if (h < 1 || w < 1) {
    throw new InvalidArgumentError(`${at} ${name} receives [${input}]: its window does not fit (output ${h}×${w}).`);
  }
  return [layer.kind === 'conv2d' ? layer.outChannels : channels, h, w];
}

/**
 * The shape of every layer's output, in order (the last one is the logits'), for examples of `inputShape`. Throws an
 * InvalidArgumentError naming the first layer that is unknown, malformed, or does not fit what it receives.
 */
export function layerShapes(layers: readonly LayerSpec[], inputShape: readonly number[]): number[][] {
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every(isPositiveInt)) {
    throw new InvalidArgumentError(`The input shape must be a non-empty list of positive integers, got [${inputShape}].`);
  }
  if (layers.length === 0) throw new InvalidArgumentError('The model has no layers.');
  const shapes: number[][] = [];
  let shape = [...inputShape];
  layers.forEach((layer, i) => {
    const at = `Layer ${i}`;
    if (!LAYER_KINDS.includes(layer.kind)) {
      throw new InvalidArgumentError(
        `${at} has unknown kind '${(layer as { kind: unknown }).kind}'; layers are ${LAYER_KINDS.join(', ')}.`,
      );
    }
    checkFields(layer, at);
    switch (layer.kind) {
      case 'flatten':
        shape = [sizeOf(shape)];
        break;
      case 'linear':
        if (shape.length !== 1) {
          throw new InvalidArgumentError(`${at} (${describeLayer(layer)}) needs a Flatten before it: it receives [${shape}].`);
        }
        if (shape[0] !== layer.inFeatures) {
          throw new InvalidArgumentError(`${at} ${describeLayer(layer)} receives ${shape[0]} features.`);
        }
        shape = [layer.outFeatures];
        break;
      case 'conv2d':
      case 'avgpool2d':
      case 'maxpool2d':
        shape = windowOutput(layer, shape, at);
        break;
      default:
        break;
    }
    shapes.push(shape);
  });
  return shapes;
}

/** The shape of the model's logits per example after checking every layer (see `layerShapes`). */
export function outputShape(spec: Pick<ModelSpec, 'layers' | 'inputShape'>): number[] {
  return layerShapes(spec.layers, spec.inputShape).at(-1) as number[];
}

/** Shapes and names of a Sequential's parameters, PyTorch layout (`[out, in]` and `[out, in, kH, kW]` weights). */
export function parameterShapes(layers: readonly LayerSpec[]): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = [];
  layers.forEach((layer, i) => {
    const weight = weightShape(layer);
    if (!weight) return;
    out.push({ name: `${i}.weight`, shape: weight });
    out.push({ name: `${i}.bias`, shape: [weight[0] as number] });
  });
  return out;
}

/** A layer's weight shape, or undefined for a layer without parameters. */
export function weightShape(layer: LayerSpec): number[] | undefined {
  if (layer.kind === 'linear') return [layer.outFeatures, layer.inFeatures];
  if (layer.kind === 'conv2d') return [layer.outChannels, layer.inChannels, ...layer.kernelSize];
  return undefined;
}
