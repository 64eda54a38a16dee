import {
  allocate,
  type Batch,
  type BatchStats,
  type CompiledModel,
  type DType,
  type FloatArray,
  InvalidArgumentError,
  type LayerSpec,
  type ModelSpec,
  type ParameterTensor,
  parameterShapes,
  pixelsToUnit,
  type StepHyperparameters,
  sizeOf,
  XBackendError,
} from '@xbackend/core';
import {
  linearForward,
  linearInputGrad,
  linearParamGrads,
  reluBackward,
  reluForward,
  sgdUpdate,
  softmaxCrossEntropy,
} from './dense-math.js';

interface LinearParams {
  readonly weight: FloatArray;
  readonly bias: FloatArray;
  readonly gradWeight: FloatArray;
  readonly gradBias: FloatArray;
}

/** A Sequential run layer by layer on the host; all buffers are allocated once per batch capacity. */
export class ReferenceModel implements CompiledModel {
  private readonly params: Map<number, LinearParams>;
  private readonly widths: number[];
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
    this.widths = [sizeOf(spec.inputShape)];
    for (const layer of spec.layers) this.widths.push(layer.kind === 'linear' ? layer.outFeatures : (this.widths.at(-1) as number));
    this.params = new Map();
    spec.layers.forEach((layer, i) => {
      if (layer.kind !== 'linear') return;
      const size = layer.inFeatures * layer.outFeatures;
      this.params.set(i, {
        weight: allocate(dtype, size),
        bias: allocate(dtype, layer.outFeatures),
        gradWeight: allocate(dtype, size),
        gradBias: allocate(dtype, layer.outFeatures),
      });
    });
    const firstLinear = spec.layers.findIndex((layer) => layer.kind === 'linear');
    this.firstTrainable = firstLinear < 0 ? spec.layers.length : firstLinear;
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
    if (layer.kind === 'linear') {
      const p = this.params.get(i) as LinearParams;
      linearForward(input, p.weight, p.bias, rows, layer.inFeatures, layer.outFeatures, output);
    } else if (layer.kind === 'relu') {
      reluForward(input, rows * (this.widths[i] as number), output);
    }
    // Flatten: `output` is `input` (see ensureCapacity).
  }

  /**
   * Backpropagates `gradients[last]` (set by the loss) into every parameter gradient. It stops at the first layer with
   * parameters: the gradient with respect to that layer's input (the batch) is never used, so it is never computed.
   */
  private backward(rows: number): void {
    for (let i = this.spec.layers.length - 1; i >= this.firstTrainable; i--) {
      const layer = this.spec.layers[i] as LayerSpec;
      const gOut = this.gradients[i + 1] as FloatArray;
      const gIn = this.gradients[i] as FloatArray;
      const needInputGrad = i > this.firstTrainable;
      if (layer.kind === 'linear') {
        const p = this.params.get(i) as LinearParams;
        linearParamGrads(this.activations[i] as FloatArray, gOut, rows, layer.inFeatures, layer.outFeatures, p.gradWeight, p.gradBias);
        if (needInputGrad) linearInputGrad(gOut, p.weight, rows, layer.inFeatures, layer.outFeatures, gIn);
      } else if (needInputGrad) {
        const width = rows * (this.widths[i] as number);
        gIn.set(gOut.subarray(0, width));
        if (layer.kind === 'relu') reluBackward(this.activations[i + 1] as FloatArray, gIn, width);
      }
    }
  }

  private assertLive(): void {
    if (this.disposed) throw new XBackendError('DISPOSED', 'This reference model was disposed; compile the model again.');
  }
}
