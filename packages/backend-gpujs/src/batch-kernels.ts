import type { Batch } from '@xbackend/core';
import type { KernelShortcut } from './gpujs-api.js';
import {
  backpropSource,
  batchStatsSource,
  biasGradSource,
  exampleLossesSource,
  forwardSource,
  logitsGradSource,
  weightGradSource,
} from './kernel-sources.js';
import type { ModelPlan } from './model-plan.js';
import type { GpuRuntime, KernelSpec } from './runtime.js';

/**
 * Every batch-shaped kernel of one model for batches of up to `capacity` examples (sizes are baked into the
 * kernels). Smaller batches are padded: zero pixels and label -1, which the loss, gradient and stats kernels skip.
 * Kernels are created on first use, so an evaluation-only capacity never compiles the gradient kernels.
 */
export class BatchKernels {
  private readonly kernels = new Map<string, KernelShortcut>();
  private readonly xStaging: Float32Array;
  private readonly labelStaging: Float32Array;

  constructor(
    private readonly runtime: GpuRuntime,
    private readonly plan: ModelPlan,
    readonly capacity: number,
  ) {
    this.xStaging = new Float32Array(capacity * plan.inputFeatures);
    this.labelStaging = new Float32Array(capacity);
  }

  /** The batch as kernel arguments: pixels [capacity, features] and labels [capacity] (padding: -1). */
  stage(batch: Batch): { x: unknown; labels: Float32Array } {
    const n = batch.size;
    let x = batch.x;
    if (n !== this.capacity || this.plan.reluInput) {
      x = this.xStaging;
      x.set(batch.x);
      x.fill(0, batch.x.length);
      if (this.plan.reluInput) for (let i = 0; i < batch.x.length; i++) x[i] = Math.max(x[i] as number, 0);
    }
    const labels = this.labelStaging;
    for (let i = 0; i < n; i++) labels[i] = batch.y[i] as number;
    labels.fill(-1, n);
    return { x: this.runtime.input(x, [this.capacity, this.plan.inputFeatures]), labels };
  }

  forward(block: number): KernelShortcut {
    const { outFeatures, inFeatures, reluAfter } = this.block(block);
    return this.get(`forward${block}`, () => ({
      source: forwardSource(reluAfter),
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
      source: backpropSource(this.block(block - 1).reluAfter),
      output: [inFeatures, this.capacity],
      constants: { O: outFeatures },
      pipeline: true,
    }));
  }

  weightGrad(block: number): KernelShortcut {
    const { inFeatures, outFeatures } = this.block(block);
    return this.get(`weightGrad${block}`, () => ({
      source: weightGradSource(),
      output: [inFeatures, outFeatures],
      constants: { B: this.capacity },
      pipeline: true,
    }));
  }

  biasGrad(block: number): KernelShortcut {
    return this.get(`biasGrad${block}`, () => ({
      source: biasGradSource(),
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
