import { type Batch, pixelsToUnit } from '@xbackend/core';
import type { KernelOutput, KernelShortcut } from './gpujs-api.js';
import {
  backpropSource,
  batchStatsSource,
  biasGradSource,
  exampleLossesSource,
  forwardSource,
  logitsGradSource,
  unitSource,
  weightGradSource,
} from './kernel-sources.js';
import type { LinearStage, ModelPlan, Stage } from './model-plan.js';
import {
  forwardPackedSource,
  logitsGradPackedSource,
  PACK,
  packsProducts,
  storedRows,
  unpackColumnsSource,
  unpackRowsSource,
  weightGradPackedSource,
} from './packed-kernel-sources.js';
import type { GpuRuntime, KernelSpec } from './runtime.js';
import type { Summation } from './summation.js';
import { WindowKernels } from './window-kernels.js';

/** A Linear's or Conv2d's weight and bias (or their gradients), as kernel arguments. */
export interface Parameters {
  readonly weight: KernelOutput;
  readonly bias: KernelOutput;
}

function needed<T>(value: T | undefined, s: number): T {
  if (value === undefined) throw new Error(`internal: stage ${s} needs its parameters`);
  return value;
}

/** A batch as kernel arguments. */
export interface StagedBatch {
  /** The examples [capacity, features]: float32 values, or pixel bytes (`bytes`: the `unit` kernel converts them). */
  readonly x: unknown;
  readonly bytes: boolean;
  /** [capacity], padding -1. */
  readonly labels: Float32Array;
}

/**
 * Every batch-shaped kernel of one model for batches of up to `capacity` examples (sizes are baked into the
 * kernels), and the passes of a step built from them. Smaller batches are padded: zero pixels and label -1, which the
 * loss, gradient and stats kernels skip. Kernels are created on first use, so an evaluation-only capacity never
 * compiles the gradient kernels.
 *
 * Every pass takes and returns the plain layout of kernel-sources.ts; gradients w.r.t. pre-activations are transposed
 * (`dz[o][b]`) and, like weights, have `storedRows` rows. On webasm the matrix products run four outputs per cell
 * (packed-kernel-sources.ts) and their results are unpacked here. Convolution, pooling and lone activations are
 * window-kernels.ts's.
 */
export class BatchKernels {
  private readonly kernels = new Map<string, KernelShortcut>();
  private readonly xStaging: Float32Array;
  private pixelStaging: Uint8Array | undefined;
  private readonly labelStaging: Float32Array;
  /** Plain sums on the cpu mode (its kernels accumulate in float64), compensated where kernels compute in float32. */
  private readonly summation: Summation;
  /**
   * Whether pixel bytes go to the device and become float32 there (the `unit` kernel): everywhere but the cpu mode.
   * There the kernels are JavaScript on the host, and a `unit` kernel's result would be one more pass over the batch
   * plus a copy into a flat input (GpuRuntime.asFlatInput): the bytes are converted into the reused staging buffer
   * instead, with the same table.
   */
  private readonly convertsOnDevice: boolean;
  /** Whether the matrix products run four outputs per cell (packed-kernel-sources.ts). */
  private readonly packs: boolean;
  private readonly windows: WindowKernels;

  constructor(
    private readonly runtime: GpuRuntime,
    private readonly plan: ModelPlan,
    readonly capacity: number,
  ) {
    this.xStaging = new Float32Array(capacity * plan.inputFeatures);
    this.labelStaging = new Float32Array(capacity);
    this.summation = runtime.mode === 'cpu' ? 'plain' : 'compensated';
    this.convertsOnDevice = runtime.mode !== 'cpu';
    this.packs = packsProducts(runtime.mode);
    this.windows = new WindowKernels(runtime, (key, spec) => this.get(key, spec), capacity, this.summation, this.packs);
  }

  /**
   * The batch as kernel arguments: examples [capacity, features] and labels [capacity] (padding: -1). Pixel bytes go
   * to the device as they are (the `unit` kernel converts them); a ReLU before the first Linear leaves bytes alone.
   */
  stage(batch: Batch): StagedBatch {
    const n = batch.size;
    const labels = this.labelStaging;
    for (let i = 0; i < n; i++) labels[i] = batch.y[i] as number;
    labels.fill(-1, n);
    const shape = [this.capacity, this.plan.inputFeatures] as const;
    const { pixels } = batch;
    if (pixels && !this.convertsOnDevice) {
      // The cpu mode's device is the host: the exact table, into a reused buffer (no allocation, no extra kernel).
      pixelsToUnit(pixels, this.xStaging).fill(0, pixels.length);
      return { x: this.runtime.input(this.xStaging, shape), bytes: false, labels };
    }
    if (pixels) {
      let bytes = pixels;
      if (n !== this.capacity) {
        this.pixelStaging ??= new Uint8Array(this.capacity * this.plan.inputFeatures);
        bytes = this.pixelStaging;
        bytes.set(pixels);
        bytes.fill(0, pixels.length);
      }
      return { x: this.runtime.input(bytes, shape), bytes: true, labels };
    }
    let x = batch.x;
    if (n !== this.capacity || this.plan.reluInput) {
      x = this.xStaging;
      x.set(batch.x);
      x.fill(0, batch.x.length);
      if (this.plan.reluInput) for (let i = 0; i < batch.x.length; i++) x[i] = Math.max(x[i] as number, 0);
    }
    return { x: this.runtime.input(x, shape), bytes: false, labels };
  }

  /** The examples as float32 [capacity, features]: pixel bytes through the lookup table `lut`, or as staged. */
  input(staged: StagedBatch, lut: Float32Array): KernelOutput {
    if (!staged.bytes) return staged.x;
    const unit = this.get('unit', () => ({ source: unitSource(), output: [this.plan.inputFeatures, this.capacity], pipeline: true }));
    return this.runtime.run(unit, staged.x, lut);
  }

  /**
   * Stage `s`'s output `act[b][f]` [capacity, outFeatures] from its input [capacity, inFeatures] (`params`: its weight
   * and bias, for a Linear or Conv2d).
   */
  forward(s: number, input: KernelOutput, params?: Parameters): KernelOutput {
    const stage = this.stageAt(s);
    switch (stage.kind) {
      case 'linear':
        return this.linearForward(s, stage, input, needed(params, s));
      case 'conv2d': {
        const { weight, bias } = needed(params, s);
        return this.windows.convForward(s, stage, input, weight, bias);
      }
      case 'avgpool2d':
      case 'maxpool2d':
        return this.windows.poolForward(s, stage, input);
      case 'activation':
        return this.windows.activationForward(s, stage, input);
    }
  }

  /** Stage `s`'s mean-loss parameter gradients (stored as its parameters) from `g` (w.r.t. its output) and its input. */
  paramGrads(s: number, g: KernelOutput, input: KernelOutput, invN: number): Parameters {
    const stage = this.stageAt(s);
    if (stage.kind === 'conv2d') return this.windows.convGrads(s, stage, g, input, invN);
    if (stage.kind !== 'linear') throw new Error(`internal: stage ${s} (${stage.kind}) has no parameters`);
    return { weight: this.weightGrad(s, g, input, invN), bias: this.biasGrad(s, g, invN) };
  }

  /**
   * The gradient w.r.t. stage `s - 1`'s pre-activation (transposed) from `g`, the one w.r.t. stage `s`'s; `act` is stage
   * `s`'s input (stage `s - 1`'s output) and `weight` its weight, for a Linear or Conv2d.
   */
  inputGrad(s: number, g: KernelOutput, act: KernelOutput, weight?: KernelOutput): KernelOutput {
    const stage = this.stageAt(s);
    const before = this.stageAt(s - 1).activation;
    switch (stage.kind) {
      case 'linear':
        return this.backprop(s, g, needed(weight, s), act);
      case 'conv2d':
        return this.windows.convInputGrad(s, stage, before, g, needed(weight, s), act);
      case 'avgpool2d':
      case 'maxpool2d':
        return this.windows.poolInputGrad(s, stage, before, g, act);
      case 'activation':
        return this.windows.activationInputGrad(s, stage, before, g, act, this.rows(stage.inFeatures));
    }
  }

  private linearForward(l: number, stage: LinearStage, input: KernelOutput, { weight, bias }: Parameters): KernelOutput {
    const { outFeatures, inFeatures, activation } = stage;
    if (!this.packs) {
      const kernel = this.get(`forward${l}`, () => ({
        source: forwardSource(activation, this.summation, inFeatures),
        output: [outFeatures, this.capacity],
        pipeline: true,
      }));
      return this.runtime.run(kernel, input, weight, bias, 1);
    }
    const kernel = this.get(`forwardPacked${l}`, () => ({
      source: forwardPackedSource(activation, inFeatures),
      output: [this.capacity, this.quads(outFeatures)],
      returnType: 'Array(4)',
      pipeline: true,
    }));
    const unpack = this.get(`unpackColumns${l}`, () => ({
      source: unpackColumnsSource(),
      output: [outFeatures, this.capacity],
      pipeline: true,
    }));
    return this.runtime.run(unpack, this.runtime.run(kernel, input, weight, bias, 1));
  }

  /** The loss gradient w.r.t. the logits, transposed: `dz[j][b]` [classes rows, capacity]. */
  logitsGrad(logits: KernelOutput, labels: Float32Array): KernelOutput {
    const { numClasses } = this.plan;
    const activation = this.stageAt(this.plan.stages.length - 1).activation;
    if (!this.packs) {
      const kernel = this.get('logitsGrad', () => ({
        source: logitsGradSource(activation, numClasses),
        output: [this.capacity, numClasses],
        pipeline: true,
      }));
      return this.runtime.run(kernel, logits, labels);
    }
    const kernel = this.get('logitsGradPacked', () => ({
      source: logitsGradPackedSource(activation, numClasses),
      output: [this.capacity, this.quads(numClasses)],
      returnType: 'Array(4)',
      pipeline: true,
    }));
    return this.unpackRows(this.runtime.run(kernel, logits, labels), this.capacity, numClasses);
  }

  /** Linear `l`'s mean-loss weight gradient [outFeatures rows, inFeatures] from `dz` (transposed) and its input. */
  private weightGrad(l: number, dz: KernelOutput, input: KernelOutput, invN: number): KernelOutput {
    const { inFeatures, outFeatures } = this.linear(l);
    if (!this.packs) {
      const kernel = this.get(`weightGrad${l}`, () => ({
        source: weightGradSource(this.summation, this.capacity),
        output: [inFeatures, outFeatures],
        pipeline: true,
      }));
      return this.runtime.run(kernel, dz, input, invN, 1);
    }
    const kernel = this.get(`weightGradPacked${l}`, () => ({
      source: weightGradPackedSource(this.capacity),
      output: [inFeatures, this.quads(outFeatures)],
      returnType: 'Array(4)',
      pipeline: true,
    }));
    return this.unpackRows(this.runtime.run(kernel, dz, input, invN, 1), inFeatures, outFeatures);
  }

  /** Linear `l`'s mean-loss bias gradient [outFeatures rows]. */
  private biasGrad(l: number, dz: KernelOutput, invN: number): KernelOutput {
    const kernel = this.get(`biasGrad${l}`, () => ({
      source: biasGradSource(this.summation, this.capacity),
      output: [this.rows(this.linear(l).outFeatures)],
      pipeline: true,
    }));
    return this.runtime.run(kernel, dz, invN, 1);
  }

  /** Through Linear `l`: the gradient w.r.t. stage `l - 1`'s pre-activations (transposed) from that of stage `l`. */
  private backprop(l: number, dz: KernelOutput, weight: KernelOutput, act: KernelOutput): KernelOutput {
    const { inFeatures, outFeatures } = this.linear(l);
    const before = this.stageAt(l - 1).activation;
    const kernel = this.get(`backprop${l}`, () => ({
      source: backpropSource(before, this.summation, { inFeatures, outFeatures, rows: this.rows(inFeatures) }),
      output: [this.capacity, this.rows(inFeatures)],
      pipeline: true,
    }));
    return before === 'none' ? this.runtime.run(kernel, dz, weight, 1) : this.runtime.run(kernel, dz, weight, act, 1);
  }

  /** [loss sum, correct] of the logits, for reading back. */
  stats(logits: KernelOutput, labels: Float32Array): KernelOutput {
    const kernel = this.get('batchStats', () => ({
      source: batchStatsSource(),
      output: [2],
      constants: { B: this.capacity, C: this.plan.numClasses },
      pipeline: false,
    }));
    return this.runtime.run(kernel, logits, labels, 1);
  }

  /** Each example's loss [capacity], for reading back. */
  exampleLosses(logits: KernelOutput, labels: Float32Array): KernelOutput {
    const kernel = this.get('exampleLosses', () => ({
      source: exampleLossesSource(),
      output: [this.capacity],
      constants: { C: this.plan.numClasses },
      pipeline: false,
    }));
    return this.runtime.run(kernel, logits, labels);
  }

  /** The kernels compiled so far, by name (e.g. `convInputGrad3`: stage 3's). */
  kernelNames(): string[] {
    return [...this.kernels.keys()];
  }

  destroy(): void {
    for (const kernel of this.kernels.values()) this.runtime.destroyKernel(kernel);
    this.kernels.clear();
  }

  /** A packed result over `rows` rows (output [cols, quads]) as a plain [storedRows, cols] matrix. */
  private unpackRows(packed: KernelOutput, cols: number, rows: number): KernelOutput {
    const kernel = this.get(`unpackRows${cols}x${rows}`, () => ({
      source: unpackRowsSource(),
      output: [cols, this.rows(rows)],
      pipeline: true,
    }));
    return this.runtime.run(kernel, packed);
  }

  private rows(rows: number): number {
    return storedRows(rows, this.packs);
  }

  private quads(rows: number): number {
    return this.rows(rows) / PACK;
  }

  private stageAt(index: number): Stage {
    const stage = this.plan.stages[index];
    if (!stage) throw new Error(`internal: no stage ${index}`);
    return stage;
  }

  private linear(index: number): LinearStage {
    const stage = this.stageAt(index);
    if (stage.kind !== 'linear') throw new Error(`internal: stage ${index} is not a Linear`);
    return stage;
  }

  private get(key: string, spec: () => KernelSpec): KernelShortcut {
    let kernel = this.kernels.get(key);
    if (!kernel) {
      kernel = this.runtime.createKernel(spec());
      this.kernels.set(key, kernel);
    }
    return kernel;
  }
}
