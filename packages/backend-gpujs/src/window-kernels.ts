import type { Activation } from './activation-sources.js';
import type { KernelOutput, KernelShortcut } from './gpujs-api.js';
import { biasGradSource } from './kernel-sources.js';
import type { ActivationStage, ConvStage, PoolStage } from './model-plan.js';
import { PACK } from './packed-kernel-sources.js';
import {
  convForwardPackedSource,
  convInputGradPackedSource,
  convWeightGradPartPackedSource,
  gradSumPackedSource,
  quads,
  unpackChannelsSource,
  unpackInputChannelsSource,
} from './packed-window-kernel-sources.js';
import type { GpuRuntime, KernelSpec } from './runtime.js';
import type { Summation } from './summation.js';
import {
  activationForwardSource,
  activationInputGradSource,
  convBiasGradPartSource,
  convForwardSource,
  convInputGradSource,
  convWeightGradPartSource,
  gradSumSource,
  poolForwardSource,
  poolInputGradSource,
} from './window-kernel-sources.js';

/** Compiles a kernel once per key (BatchKernels' cache). */
export type KernelGetter = (key: string, spec: () => KernelSpec) => KernelShortcut;

/**
 * The passes of convolution, pooling and lone-activation stages for batches of `capacity` examples, in the layouts of
 * window-kernel-sources.ts. `s` is the stage's index in the plan (it names the stage's kernels).
 *
 * Where `packs` (webasm), a Conv2d that reads at least 4 channels runs four channels per cell
 * (packed-window-kernel-sources.ts). Measured on LeNet (batch 256, CPU time): its second layer's forward pass and weight
 * gradient 2.2× faster packed, its input gradient 1.35×; its first layer (one channel in, 6 out, padded) 1.1–1.3× slower
 * packed, its short sums and padded edges leaving little to share.
 */
export class WindowKernels {
  constructor(
    private readonly runtime: GpuRuntime,
    private readonly get: KernelGetter,
    private readonly capacity: number,
    private readonly summation: Summation,
    private readonly packs: boolean,
  ) {}

  convForward(s: number, stage: ConvStage, input: KernelOutput, weight: KernelOutput, bias: KernelOutput): KernelOutput {
    if (this.packsConv(stage)) {
      const [outChannels, outHeight, outWidth] = stage.output;
      const packed = this.get(`convForwardPacked${s}`, () => ({
        source: convForwardPackedSource(stage),
        output: [outHeight * outWidth, this.capacity * quads(outChannels)],
        returnType: 'Array(4)',
        pipeline: true,
      }));
      const unpack = this.get(`unpackChannels${s}`, () => ({
        source: unpackChannelsSource(stage),
        output: [stage.outFeatures, this.capacity],
        pipeline: true,
      }));
      return this.runtime.run(unpack, this.runtime.run(packed, input, weight, bias, 1));
    }
    const kernel = this.get(`convForward${s}`, () => ({
      source: convForwardSource(stage, this.summation),
      output: [stage.outFeatures, this.capacity],
      pipeline: true,
    }));
    return this.runtime.run(kernel, input, weight, bias, 1);
  }

  /** Mean-loss weight gradient `[out rows, in·kh·kw]` and bias gradient `[out]`, each summed in two levels. */
  convGrads(s: number, stage: ConvStage, g: KernelOutput, input: KernelOutput, invN: number): { weight: KernelOutput; bias: KernelOutput } {
    const outChannels = stage.output[0];
    const perChannel = stage.input[0] * stage.kernelSize[0] * stage.kernelSize[1];
    const packed = this.packsConv(stage);
    const weightPart = this.get(`convWeightGradPart${s}`, () =>
      packed
        ? {
            source: convWeightGradPartPackedSource(stage),
            output: [perChannel, this.capacity * quads(outChannels)],
            returnType: 'Array(4)',
            pipeline: true,
          }
        : { source: convWeightGradPartSource(stage, this.summation), output: [this.capacity, outChannels * perChannel], pipeline: true },
    );
    const weightSum = this.get(`convWeightGradSum${s}`, () => ({
      source: packed ? gradSumPackedSource(this.capacity, outChannels) : gradSumSource(this.summation, this.capacity, perChannel),
      output: [perChannel, outChannels],
      pipeline: true,
    }));
    const biasPart = this.get(`convBiasGradPart${s}`, () => ({
      source: convBiasGradPartSource(stage, this.summation),
      output: [this.capacity, outChannels],
      pipeline: true,
    }));
    const biasSum = this.get(`convBiasGradSum${s}`, () => ({
      source: biasGradSource(this.summation, this.capacity),
      output: [outChannels],
      pipeline: true,
    }));
    return {
      weight: this.runtime.run(weightSum, this.runtime.run(weightPart, g, input, 1), invN, 1),
      bias: this.runtime.run(biasSum, this.runtime.run(biasPart, g, 1), invN, 1),
    };
  }

  /** The gradient w.r.t. the stage before's pre-activation, transposed [inFeatures rows, capacity]. */
  convInputGrad(
    s: number,
    stage: ConvStage,
    activationBefore: Activation,
    g: KernelOutput,
    weight: KernelOutput,
    act: KernelOutput,
  ): KernelOutput {
    const [channels, height, width] = stage.input;
    const packed = this.packsConv(stage);
    const kernel = this.get(`convInputGrad${s}`, () =>
      packed
        ? {
            source: convInputGradPackedSource(stage, activationBefore),
            output: [this.capacity, quads(channels) * height * width],
            returnType: 'Array(4)',
            pipeline: true,
          }
        : {
            source: convInputGradSource(stage, activationBefore, this.summation),
            output: [this.capacity, stage.inFeatures],
            pipeline: true,
          },
    );
    const grad = activationBefore === 'none' ? this.runtime.run(kernel, g, weight, 1) : this.runtime.run(kernel, g, weight, act, 1);
    if (!packed) return grad;
    const unpack = this.get(`unpackInputChannels${s}`, () => ({
      source: unpackInputChannelsSource(stage),
      output: [this.capacity, stage.inFeatures],
      pipeline: true,
    }));
    return this.runtime.run(unpack, grad);
  }

  poolForward(s: number, stage: PoolStage, input: KernelOutput): KernelOutput {
    const kernel = this.get(`poolForward${s}`, () => ({
      source: poolForwardSource(stage, this.summation),
      output: [stage.outFeatures, this.capacity],
      pipeline: true,
    }));
    return this.runtime.run(kernel, input, 1);
  }

  poolInputGrad(s: number, stage: PoolStage, activationBefore: Activation, g: KernelOutput, act: KernelOutput): KernelOutput {
    const kernel = this.get(`poolInputGrad${s}`, () => ({
      source: poolInputGradSource(stage, activationBefore, this.summation),
      output: [this.capacity, stage.inFeatures],
      pipeline: true,
    }));
    return this.runtime.run(kernel, g, act, 1);
  }

  activationForward(s: number, stage: ActivationStage, input: KernelOutput): KernelOutput {
    const kernel = this.get(`activationForward${s}`, () => ({
      source: activationForwardSource(stage.activation),
      output: [stage.outFeatures, this.capacity],
      pipeline: true,
    }));
    return this.runtime.run(kernel, input);
  }

  /** `rows`: the gradient's stored rows (a Linear before may need them padded, see storedRows). */
  activationInputGrad(
    s: number,
    stage: ActivationStage,
    activationBefore: Activation,
    g: KernelOutput,
    act: KernelOutput,
    rows: number,
  ): KernelOutput {
    const kernel = this.get(`activationInputGrad${s}`, () => ({
      source: activationInputGradSource(activationBefore, stage.inFeatures, rows),
      output: [this.capacity, rows],
      pipeline: true,
    }));
    return this.runtime.run(kernel, g, act);
  }

  /** Whether a Conv2d's kernels run packed (see the class comment). */
  private packsConv(stage: ConvStage): boolean {
    return this.packs && stage.input[0] >= PACK;
  }
}
