import { type Batch, pixelsToUnit } from '@xbackend/core';
import type { KernelShortcut } from './gpujs-api.js';
import {
  backpropSource,
  batchStatsSource,
  biasGradSource,
  exampleLossesSource,
  forwardSource,
  logitsGradSource,
  type Summation,
  unitSource,
  weightGradSource,
} from './kernel-sources.js';
import type { ModelPlan } from './model-plan.js';
import type { GpuRuntime, KernelSpec } from './runtime.js';

/**
 * Every batch-shaped kernel of one model for batches of up to `capacity` examples (sizes are baked into the
 * kernels). Smaller batches are padded: zero pixels and label -1, which the loss, gradient and stats kernels skip.
 * Kernels are created on first use, so an evaluation-only capacity never compiles the gradient kernels.
 */
/** A batch as kernel arguments. */
export interface StagedBatch {
  /** The examples [capacity, features]: float32 values, or pixel bytes (`bytes`: the `unit` kernel converts them). */
  readonly x: unknown;
  readonly bytes: boolean;
  /** [capacity], padding -1. */
  readonly labels: Float32Array;
}

export class BatchKernels {
  private readonly kernels = new Map<string, KernelShortcut>();
  private readonly xStaging: Float32Array;
  private pixelStaging: Uint8Array | undefined;
  private readonly labelStaging: Float32Array;
  /** Plain sums on the cpu mode (its kernels accumulate in float64), compensated where kernels compute in float32. */
  private readonly summation: Summation;
  /**
   * Whether pixel bytes go to the device and become float32 there (the `unit` kernel): everywhere but the cpu mode.
   * There the kernels are JavaScript on the host, and a kernel's output reaches the next kernels as an array of rows,
   * which the matmul kernels read 2–3× slower than a flat input (measured): the bytes are converted into the reused
   * staging buffer instead, with the same table.
   */
  private readonly convertsOnDevice: boolean;

  constructor(
    private readonly runtime: GpuRuntime,
    private readonly plan: ModelPlan,
    readonly capacity: number,
  ) {
    this.xStaging = new Float32Array(capacity * plan.inputFeatures);
    this.labelStaging = new Float32Array(capacity);
    this.summation = runtime.mode === 'cpu' ? 'plain' : 'compensated';
    this.convertsOnDevice = runtime.mode !== 'cpu';
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

  /** Pixel bytes [capacity, features] to their float32 values, through the lookup table argument. */
  unit(): KernelShortcut {
    return this.get('unit', () => ({
      source: unitSource(),
      output: [this.plan.inputFeatures, this.capacity],
      pipeline: true,
    }));
  }

  forward(block: number): KernelShortcut {
    const { outFeatures, inFeatures, reluAfter } = this.block(block);
    return this.get(`forward${block}`, () => ({
      source: forwardSource(reluAfter, this.summation),
      output: [outFeatures, this.capacity],
      constants: { K: inFeatures },
      pipeline: true,
    }));
  }

  logitsGrad(): KernelShortcut {
    const last = this.block(this.plan.blocks.length - 1);
    return this.get('logitsGrad', () => ({
      source: logitsGradSource(last.reluAfter),
      output: [this.plan.numClasses, this.capacity],
      constants: { C: this.plan.numClasses },
      pipeline: true,
    }));
  }

  /** Read back: [loss sum, correct]. */
  batchStats(): KernelShortcut {
    return this.get('batchStats', () => ({
      source: batchStatsSource(),
      output: [2],
      constants: { B: this.capacity, C: this.plan.numClasses },
      pipeline: false,
    }));
  }

  exampleLosses(): KernelShortcut {
    return this.get('exampleLosses', () => ({
      source: exampleLossesSource(),
      output: [this.capacity],
      constants: { C: this.plan.numClasses },
      pipeline: false,
    }));
  }

  /** Gradient w.r.t. the pre-activations of block `block - 1`, from those of `block`. */
  backprop(block: number): KernelShortcut {
    const { inFeatures, outFeatures } = this.block(block);
    return this.get(`backprop${block}`, () => ({
      source: backpropSource(this.block(block - 1).reluAfter, this.summation),
      output: [inFeatures, this.capacity],
      constants: { O: outFeatures },
      pipeline: true,
    }));
  }

  weightGrad(block: number): KernelShortcut {
    const { inFeatures, outFeatures } = this.block(block);
    return this.get(`weightGrad${block}`, () => ({
      source: weightGradSource(this.summation),
      output: [inFeatures, outFeatures],
      constants: { B: this.capacity },
      pipeline: true,
    }));
  }

  biasGrad(block: number): KernelShortcut {
    return this.get(`biasGrad${block}`, () => ({
      source: biasGradSource(this.summation),
      output: [this.block(block).outFeatures],
      constants: { B: this.capacity },
      pipeline: true,
    }));
  }

  destroy(): void {
    for (const kernel of this.kernels.values()) this.runtime.destroyKernel(kernel);
    this.kernels.clear();
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
