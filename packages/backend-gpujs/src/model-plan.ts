import {
  type Conv2dSpec,
  InvalidArgumentError,
  type LayerSpec,
  layerShapes,
  type ModelSpec,
  type Pair,
  type Pool2dSpec,
  sizeOf,
  UnsupportedLayerError,
  weightShape,
} from '@xbackend/core';
import type { Activation } from './activation-sources.js';

/** An example's `[channels, height, width]`. */
export type Chw = readonly [number, number, number];

interface StageBase {
  /** Values per example in and out (examples are row-major, so Flatten changes nothing). */
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** What is applied to the stage's output (several ReLUs in a row are one ReLU). */
  readonly activation: Activation;
}

/** A stage with parameters. */
interface TrainedStage extends StageBase {
  /** Index of the layer in the Sequential: its parameters are `${layerIndex}.weight` / `.bias`. */
  readonly layerIndex: number;
  /** As core names it: `[out, in]`, or OIHW `[out, in, kh, kw]`. */
  readonly weightShape: readonly number[];
}

export interface LinearStage extends TrainedStage {
  readonly kind: 'linear';
}

export interface ConvStage extends TrainedStage {
  readonly kind: 'conv2d';
  readonly input: Chw;
  readonly output: Chw;
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
}

export interface PoolStage extends StageBase {
  readonly kind: 'avgpool2d' | 'maxpool2d';
  readonly input: Chw;
  readonly output: Chw;
  readonly kernelSize: Pair;
  readonly stride: Pair;
}

/** An activation with no layer of its own to join (after another activation, or on the input). */
export interface ActivationStage extends StageBase {
  readonly kind: 'activation';
  readonly activation: Exclude<Activation, 'none'>;
}

export type Stage = LinearStage | ConvStage | PoolStage | ActivationStage;

/** A window stage: convolution or pooling. */
export type WindowStage = ConvStage | PoolStage;

/**
 * A Sequential reduced to what the kernels compute: a chain of stages, each a Linear, Conv2d, pooling or lone
 * activation whose output an activation may follow (fused into the stage's kernels). Flatten is free. A ReLU before
 * anything else clamps the input on the host (`reluInput`).
 */
export interface ModelPlan {
  readonly inputFeatures: number;
  readonly reluInput: boolean;
  readonly stages: readonly Stage[];
  /** Index of the first stage with parameters: backward stops there (the input's gradient is never needed). */
  readonly firstTrained: number;
  readonly numClasses: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function hasParameters(stage: Stage): stage is LinearStage | ConvStage {
  return stage.kind === 'linear' || stage.kind === 'conv2d';
}

/** Plans `spec` with the shapes core's `layerShapes` infers (core has validated the spec already). */
export function planModel(spec: ModelSpec, backend: string): ModelPlan {
  const shapes = layerShapes(spec.layers, spec.inputShape);
  const inputFeatures = sizeOf(spec.inputShape);
  let reluInput = false;
  const stages: Mutable<Stage>[] = [];
  spec.layers.forEach((layer: LayerSpec, i) => {
    const inShape = i === 0 ? spec.inputShape : (shapes[i - 1] as number[]);
    const outShape = shapes[i] as number[];
    const sizes = { inFeatures: sizeOf(inShape), outFeatures: sizeOf(outShape), activation: 'none' as Activation };
    const last = stages.at(-1);
    switch (layer.kind) {
      case 'flatten':
        return;
      case 'linear':
        stages.push({ kind: 'linear', layerIndex: i, weightShape: weightShape(layer) as number[], ...sizes });
        return;
      case 'conv2d':
        stages.push({ ...convStage(layer, i, inShape, outShape), ...sizes });
        return;
      case 'avgpool2d':
      case 'maxpool2d':
        stages.push({ ...poolStage(layer, inShape, outShape), ...sizes });
        return;
      case 'relu':
      case 'sigmoid': {
        const repeatsReLU = layer.kind === 'relu' && (last ? last.activation === 'relu' : reluInput);
        if (repeatsReLU) return; // a ReLU after a ReLU changes nothing
        if (!last && layer.kind === 'relu') reluInput = true;
        else if (last?.activation === 'none') last.activation = layer.kind;
        else stages.push({ kind: 'activation', ...sizes, activation: layer.kind });
        return;
      }
      default:
        throw new UnsupportedLayerError(
          backend,
          (layer as { kind: string }).kind,
          'supported layers are Flatten, Linear, Conv2d, AvgPool2d, MaxPool2d, ReLU and Sigmoid',
        );
    }
  });
  const firstTrained = stages.findIndex(hasParameters);
  if (firstTrained === -1) {
    throw new InvalidArgumentError(
      'The model has no Linear or Conv2d layer, so there is nothing to train: add nn.Linear(inFeatures, numClasses).',
    );
  }
  return { inputFeatures, reluInput, stages, firstTrained, numClasses: spec.numClasses };
}

function chw(shape: readonly number[]): Chw {
  return [shape[0], shape[1], shape[2]] as Chw;
}

function convStage(layer: Conv2dSpec, layerIndex: number, inShape: readonly number[], outShape: readonly number[]) {
  const { kernelSize, stride, padding } = layer;
  const weight = weightShape(layer) as number[];
  return {
    kind: 'conv2d' as const,
    layerIndex,
    weightShape: weight,
    input: chw(inShape),
    output: chw(outShape),
    kernelSize,
    stride,
    padding,
  };
}

function poolStage(layer: Pool2dSpec, inShape: readonly number[], outShape: readonly number[]) {
  const { kind, kernelSize, stride } = layer;
  return { kind, input: chw(inShape), output: chw(outShape), kernelSize, stride };
}
