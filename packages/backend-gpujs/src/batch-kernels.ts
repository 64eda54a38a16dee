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
import type { ModelPlan } from './model-plan.js';
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
 * (packed-kernel-sources.ts) and their results are unpacked here.
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

  /** Block `l`'s output `act[b][o]` [capacity, outFeatures] from its input [capacity, inFeatures]. */
  forward(l: number, input: KernelOutput, weight: KernelOutput, bias: KernelOutput): KernelOutput {
    const { outFeatures, inFeatures, reluAfter } = this.block(l);
    if (!this.packs) {
      const kernel = this.get(`forward${l}`, () => ({
        source: forwardSource(reluAfter, this.summation, inFeatures),
        output: [outFeatures, this.capacity],
        pipeline: true,
      }));
      return this.runtime.run(kernel, input, weight, bias, 1);
    }
    const kernel = this.get(`forwardPacked${l}`, () => ({
      source: forwardPackedSource(reluAfter, inFeatures),
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
    const relu = this.block(this.plan.blocks.length - 1).reluAfter;
    if (!this.packs) {
      const kernel = this.get('logitsGrad', () => ({
        source: logitsGradSource(relu, numClasses),
        output: [this.capacity, numClasses],
        pipeline: true,
      }));
      return this.runtime.run(kernel, logits, labels);
    }
    const kernel = this.get('logitsGradPacked', () => ({
      source: logitsGradPackedSource(relu, numClasses),
      output: [this.capacity, this.quads(numClasses)],
      returnType: 'Array(4)',
      pipeline: true,
    }));
    return this.unpackRows(this.runtime.run(kernel, logits, labels), this.capacity, numClasses);
  }

  /** Block `l`'s mean-loss weight gradient [outFeatures rows, inFeatures] from `dz` (transposed) and its input. */
  weightGrad(l: number, dz: KernelOutput, input: KernelOutput, invN: number): KernelOutput {
    const { inFeatures, outFeatures } = this.block(l);
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

  /** Block `l`'s mean-loss bias gradient [outFeatures rows]. */
  biasGrad(l: number, dz: KernelOutput, invN: number): KernelOutput {
    const kernel = this.get(`biasGrad${l}`, () => ({
      source: biasGradSource(this.summation, this.capacity),
      output: [this.rows(this.block(l).outFeatures)],
      pipeline: true,
    }));
    return this.runtime.run(kernel, dz, invN, 1);
  }

  /** The gradient w.r.t. block `l - 1`'s pre-activations (transposed) from that of block `l`. */
  backprop(l: number, dz: KernelOutput, weight: KernelOutput, act: KernelOutput): KernelOutput {
    const { inFeatures, outFeatures } = this.block(l);
    const reluBefore = this.block(l - 1).reluAfter;
    const kernel = this.get(`backprop${l}`, () => ({
      source: backpropSource(reluBefore, this.summation, { inFeatures, outFeatures, rows: this.rows(inFeatures) }),
      output: [this.capacity, this.rows(inFeatures)],
      pipeline: true,
    }));
    return reluBefore ? this.runtime.run(kernel, dz, weight, act, 1) : this.runtime.run(kernel, dz, weight, 1);
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

  private block(index: number) {
    const block = this.plan.blocks[index];
    if (!block) throw new Error(`internal: no Linear block ${index}`);
    return block;
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
