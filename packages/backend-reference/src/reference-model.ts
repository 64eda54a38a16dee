import {
  allocate,
  type Batch,
  type BatchStats,
  type CompiledModel,
  type DType,
  type FloatArray,
  InvalidArgumentError,
  type LayerSpec,
  layerShapes,
  type ModelSpec,
  type ParameterTensor,
  parameterShapes,
  pixelsToUnit,
  type StepHyperparameters,
  sizeOf,
  weightShape,
  XBackendError,
} from '@xbackend/core';
import {
  linearForward,
  linearInputGrad,
  linearParamGrads,
  reluBackward,
  reluForward,
  sgdUpdate,
  sigmoidBackward,
  sigmoidForward,
  softmaxCrossEntropy,
} from './dense-math.js';
import {
  avgPool2dBackward,
  avgPool2dForward,
  conv2dForward,
  conv2dInputGrad,
  conv2dParamGrads,
  maxPool2dBackward,
  maxPool2dForward,
  type WindowGeometry,
  windowGeometry,
} from './window-math.js';

/** A Linear's or a Conv2d's weight (PyTorch layout), bias, and their gradients. */
interface LayerParams {
  readonly weight: FloatArray;
  readonly bias: FloatArray;
  readonly gradWeight: FloatArray;
  readonly gradBias: FloatArray;
}

/** A Sequential run layer by layer on the host; all buffers are allocated once per batch capacity. */
export class ReferenceModel implements CompiledModel {
  private readonly params: Map<number, LayerParams>;
  /** `widths[i]` is the size of one example's input to layer i; the last one is `numClasses`. */
  private readonly widths: number[];
  /** Where each Conv2d or pooling layer slides its window (undefined for the other layers). */
  private readonly windows: (WindowGeometry | undefined)[];
  /** Index of the first layer with parameters: no gradient flows into the layers before it, nor into its input. */
  private readonly firstTrainable: number;
  private capacity = 0;
  /** `activations[i]` is the input of layer i; the last one holds the logits. */
  private activations: FloatArray[] = [];
  private gradients: FloatArray[] = [];
  private perExample: FloatArray;
  private disposed = false;

  constructor(
    private readonly spec: ModelSpec,
    private readonly dtype: DType,
    initial: readonly ParameterTensor[],
  ) {
    // Core validated the spec, so this cannot throw here; it is the one shape inference every backend shares.
    const shapes = [spec.inputShape, ...layerShapes(spec.layers, spec.inputShape)];
    this.widths = shapes.map(sizeOf);
    this.windows = spec.layers.map((layer, i) =>
      layer.kind === 'conv2d' || layer.kind === 'avgpool2d' || layer.kind === 'maxpool2d'
        ? windowGeometry(layer, shapes[i] as number[], shapes[i + 1] as number[])
        : undefined,
    );
    this.params = new Map();
    spec.layers.forEach((layer, i) => {
      const weight = weightShape(layer);
      if (!weight) return;
      const [size, outputs] = [sizeOf(weight), weight[0] as number];
      this.params.set(i, {
        weight: allocate(dtype, size),
        bias: allocate(dtype, outputs),
        gradWeight: allocate(dtype, size),
        gradBias: allocate(dtype, outputs),
      });
    });
    const firstWithParams = spec.layers.findIndex((layer) => weightShape(layer) !== undefined);
    this.firstTrainable = firstWithParams < 0 ? spec.layers.length : firstWithParams;
    this.perExample = allocate(dtype, 0);
    this.setParameters(initial);
  }

  async trainStep(batch: Batch, hyper: StepHyperparameters): Promise<BatchStats> {
    const rows = this.forward(batch);
    const logitsIndex = this.spec.layers.length;
    const stats = softmaxCrossEntropy(
      this.activations[logitsIndex] as FloatArray,
      batch.y,
      rows,
      this.spec.numClasses,
      undefined,
      this.gradients[logitsIndex],
    );
    this.backward(rows);
    for (const p of this.params.values()) {
      sgdUpdate(p.weight, p.gradWeight, hyper.lr, hyper.weightDecay);
      sgdUpdate(p.bias, p.gradBias, hyper.lr, hyper.weightDecay);
    }
    return stats;
  }

  async evaluate(batch: Batch): Promise<BatchStats> {
    const rows = this.forward(batch);
    return softmaxCrossEntropy(this.logitsBuffer(), batch.y, rows, this.spec.numClasses, undefined, undefined);
  }

  async logits(batch: Batch): Promise<FloatArray> {
    const rows = this.forward(batch);
    return this.logitsBuffer().slice(0, rows * this.spec.numClasses);
  }

  async losses(batch: Batch): Promise<FloatArray> {
    const rows = this.forward(batch);
    softmaxCrossEntropy(this.logitsBuffer(), batch.y, rows, this.spec.numClasses, this.perExample, undefined);
    return this.perExample.slice(0, rows);
  }

  async readParameters(): Promise<ParameterTensor[]> {
    this.assertLive();
    return parameterShapes(this.spec.layers).map(({ name, shape }) => ({ name, shape, data: this.buffer(name).slice() }));
  }

  async writeParameters(params: readonly ParameterTensor[]): Promise<void> {
    this.assertLive();
    this.setParameters(params);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.activations = [];
    this.gradients = [];
  }

  /** `params` come from core, checked and in spec order. */
  private setParameters(params: readonly ParameterTensor[]): void {
    for (const p of params) this.buffer(p.name).set(p.data);
  }

  private buffer(name: string): FloatArray {
    const [index, kind] = name.split('.');
    const p = this.params.get(Number(index));
    if (!p) throw new InvalidArgumentError(`No parameter named ${name}.`);
    return kind === 'weight' ? p.weight : p.bias;
  }

  private logitsBuffer(): FloatArray {
    return this.activations[this.spec.layers.length] as FloatArray;
  }

  private ensureCapacity(rows: number): void {
    if (rows <= this.capacity) return;
    this.capacity = rows;
    // A Flatten's output is its input, row-major already: it shares the buffer instead of copying it.
    this.activations = [];
    this.widths.forEach((w, i) => {
      const previous = this.activations[i - 1];
      this.activations.push(previous && this.spec.layers[i - 1]?.kind === 'flatten' ? previous : allocate(this.dtype, rows * w));
    });
    // Gradients exist only after the first layer with parameters (see `backward`).
    this.gradients = this.widths.map((w, i) => allocate(this.dtype, i > this.firstTrainable ? rows * w : 0));
    this.perExample = allocate(this.dtype, rows);
  }

  private forward(batch: Batch): number {
    this.assertLive();
    const rows = batch.size;
    this.ensureCapacity(rows);
    const input = this.activations[0] as FloatArray;
    // Bytes become float32(v / 255) right here, in the model's own buffer (the host is this backend's device).
    if (batch.pixels) pixelsToUnit(batch.pixels, input);
    else input.set(batch.x);
    for (const [i, layer] of this.spec.layers.entries()) this.forwardLayer(layer, i, rows);
    return rows;
  }

  private forwardLayer(layer: LayerSpec, i: number, rows: number): void {
    const input = this.activations[i] as FloatArray;
    const output = this.activations[i + 1] as FloatArray;
    switch (layer.kind) {
      case 'linear': {
        const p = this.params.get(i) as LayerParams;
        linearForward(input, p.weight, p.bias, rows, layer.inFeatures, layer.outFeatures, output);
        return;
      }
      case 'conv2d': {
        const p = this.params.get(i) as LayerParams;
        conv2dForward(input, p.weight, p.bias, rows, this.windows[i] as WindowGeometry, output);
        return;
      }
      case 'avgpool2d':
        avgPool2dForward(input, rows, this.windows[i] as WindowGeometry, output);
        return;
      case 'maxpool2d':
        maxPool2dForward(input, rows, this.windows[i] as WindowGeometry, output);
        return;
      case 'relu':
        reluForward(input, rows * (this.widths[i] as number), output);
        return;
      case 'sigmoid':
        sigmoidForward(input, rows * (this.widths[i] as number), output);
        return;
      case 'flatten':
        return; // `output` is `input` (see ensureCapacity)
    }
  }

  /**
   * Backpropagates `gradients[last]` (set by the loss) into every parameter gradient. It stops at the first layer with
   * parameters: the gradient with respect to that layer's input (the batch) is never used, so it is never computed.
   */
  private backward(rows: number): void {
    for (let i = this.spec.layers.length - 1; i >= this.firstTrainable; i--) {
      const layer = this.spec.layers[i] as LayerSpec;
      const input = this.activations[i] as FloatArray;
      const gOut = this.gradients[i + 1] as FloatArray;
      const gIn = this.gradients[i] as FloatArray;
      const needInputGrad = i > this.firstTrainable;
      const width = rows * (this.widths[i] as number);
      switch (layer.kind) {
        case 'linear': {
          const p = this.params.get(i) as LayerParams;
          linearParamGrads(input, gOut, rows, layer.inFeatures, layer.outFeatures, p.gradWeight, p.gradBias);
          if (needInputGrad) linearInputGrad(gOut, p.weight, rows, layer.inFeatures, layer.outFeatures, gIn);
          break;
        }
        case 'conv2d': {
          const p = this.params.get(i) as LayerParams;
          conv2dParamGrads(input, gOut, rows, this.windows[i] as WindowGeometry, p.gradWeight, p.gradBias);
          if (needInputGrad) conv2dInputGrad(gOut, p.weight, rows, this.windows[i] as WindowGeometry, gIn);
          break;
        }
        // Layers without parameters come after the first one with parameters here, so they always need `gIn`.
        case 'avgpool2d':
          avgPool2dBackward(gOut, rows, this.windows[i] as WindowGeometry, gIn);
          break;
        case 'maxpool2d':
          maxPool2dBackward(input, gOut, rows, this.windows[i] as WindowGeometry, gIn);
          break;
        case 'sigmoid':
          sigmoidBackward(this.activations[i + 1] as FloatArray, gOut, width, gIn);
          break;
        case 'relu':
          gIn.set(gOut.subarray(0, width));
          reluBackward(this.activations[i + 1] as FloatArray, gIn, width);
          break;
        case 'flatten':
          gIn.set(gOut.subarray(0, width));
          break;
      }
    }
  }

  private assertLive(): void {
    if (this.disposed) throw new XBackendError('DISPOSED', 'This reference model was disposed; compile the model again.');
  }
}
