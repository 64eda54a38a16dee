import {
  type Batch,
  type BatchStats,
  type CompiledModel,
  type FloatArray,
  type ParameterTensor,
  type Profiler,
  type StepHyperparameters,
  timed,
  unitOfByteTable,
  XBackendError,
} from '@xbackend/core';
import { BatchKernels, type Parameters, type StagedBatch } from './batch-kernels.js';
import type { KernelOutput } from './gpujs-api.js';
import { type ConvStage, hasParameters, type LinearStage, type ModelPlan } from './model-plan.js';
import { packsProducts, storedRows } from './packed-kernel-sources.js';
import { ParameterSlot } from './parameter-slot.js';
import type { GpuRuntime, LiveResources } from './runtime.js';

/** A cached capacity serves batches down to 1/PAD_LIMIT of its size (e.g. the last partial batch of an epoch). */
const PAD_LIMIT = 2;
/** At most this many batch capacities keep kernels; the least recently used one is destroyed beyond it. */
const MAX_CAPACITIES = 4;

/**
 * A model compiled to gpu.js kernels. Parameters stay on the device between calls; a train step uploads the batch
 * (pixels and labels), runs forward, loss gradient, backward and SGD kernels, and reads back two numbers.
 */
export class GpuJsModel implements CompiledModel {
  /** Weight and bias of each stage that has parameters, by stage index, in spec order. */
  private readonly slots: Map<number, { readonly weight: ParameterSlot; readonly bias: ParameterSlot }>;
  /** By capacity, least recently used first. */
  private readonly capacities = new Map<number, BatchKernels>();
  /** `float32(v / 255)` for every byte: the table kernels read pixel bytes through. */
  private readonly unitOfByte = unitOfByteTable();
  private disposed = false;

  constructor(
    private readonly runtime: GpuRuntime,
    private readonly plan: ModelPlan,
    initial: readonly ParameterTensor[],
    private readonly onDispose: (model: GpuJsModel) => void,
    private readonly profiler?: Profiler,
  ) {
    this.slots = new Map();
    plan.stages.forEach((stage, s) => {
      if (hasParameters(stage)) this.slots.set(s, this.slotsOf(stage));
    });
    try {
      this.load(initial);
    } catch (error) {
      for (const slot of this.slotsInOrder()) slot.destroy();
      throw error;
    }
  }

  async trainStep(batch: Batch, hyper: StepHyperparameters): Promise<BatchStats> {
    this.checkAlive();
    const { lr, weightDecay } = hyper;
    const kernels = this.kernelsFor(batch.size);
    const staged = kernels.stage(batch);
    const acts = this.forward(kernels, staged);
    const invN = 1 / batch.size;
    const { stages, firstTrained } = this.plan;
    const grads = new Map<number, Parameters>();
    // Backward first, reading the parameters before any of them changes. It stops at the first stage with parameters:
    // the gradient with respect to what comes before it (the batch, or parameterless stages) is never computed.
    let g = kernels.logitsGrad(acts[stages.length], staged.labels);
    for (let s = stages.length - 1; s >= firstTrained; s--) {
      const slots = this.slots.get(s);
      if (slots) grads.set(s, kernels.paramGrads(s, g, acts[s], invN));
      if (s > firstTrained) g = kernels.inputGrad(s, g, acts[s], slots?.weight.current);
    }
    for (const [s, grad] of grads) {
      const slots = this.slotsAt(s);
      slots.weight.update(grad.weight, lr, weightDecay);
      slots.bias.update(grad.bias, lr, weightDecay);
    }
    // The one readback of the step; its logits come from the forward pass above, before the update.
    return this.stats(kernels, acts[stages.length], staged.labels);
  }

  async evaluate(batch: Batch): Promise<BatchStats> {
    this.checkAlive();
    const kernels = this.kernelsFor(batch.size);
    const staged = kernels.stage(batch);
    return this.stats(kernels, this.forward(kernels, staged)[this.plan.stages.length], staged.labels);
  }

  async logits(batch: Batch): Promise<FloatArray> {
    this.checkAlive();
    const kernels = this.kernelsFor(batch.size);
    const acts = this.forward(kernels, kernels.stage(batch));
    return timed(this.profiler, 'read', () => this.runtime.read(acts[this.plan.stages.length], batch.size, this.plan.numClasses));
  }

  async losses(batch: Batch): Promise<FloatArray> {
    this.checkAlive();
    const kernels = this.kernelsFor(batch.size);
    const staged = kernels.stage(batch);
    const acts = this.forward(kernels, staged);
    return timed(this.profiler, 'read', () => {
      const perExample = kernels.exampleLosses(acts[this.plan.stages.length], staged.labels);
      return this.runtime.read(perExample, 1, batch.size);
    });
  }

  async readParameters(): Promise<ParameterTensor[]> {
    this.checkAlive();
    return this.slotsInOrder().map((slot) => ({ name: slot.name, shape: [...slot.shape], data: slot.read() }));
  }

  async writeParameters(params: readonly ParameterTensor[]): Promise<void> {
    this.checkAlive();
    this.load(params);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const kernels of this.capacities.values()) kernels.destroy();
    this.capacities.clear();
    for (const slot of this.slotsInOrder()) slot.destroy();
    this.onDispose(this);
  }

  /** Live kernels and device objects of the whole backend (for leak checks). */
  resources(): LiveResources {
    return this.runtime.resources();
  }

  /** Names of the batch kernels compiled for every cached capacity (see BatchKernels.kernelNames), sorted, once each. */
  compiledKernels(): string[] {
    return [...new Set([...this.capacities.values()].flatMap((kernels) => kernels.kernelNames()))].sort();
  }

  /** Batch capacities that currently hold compiled kernels, least recently used first. */
  cachedCapacities(): number[] {
    return [...this.capacities.keys()];
  }

  /**
   * The output of every stage: `acts[s + 1]` is stage s's, `acts[0]` the input as float32 (pixel bytes converted by the
   * `unit` kernel).
   */
  private forward(kernels: BatchKernels, staged: StagedBatch): KernelOutput[] {
    const acts: KernelOutput[] = [kernels.input(staged, this.unitOfByte)];
    this.plan.stages.forEach((_, s) => {
      const slots = this.slots.get(s);
      acts.push(kernels.forward(s, acts[s], slots && { weight: slots.weight.current, bias: slots.bias.current }));
    });
    return acts;
  }

  /**
   * The batch's loss sum and correct count, read back to the host: the stats kernel is not pipelined, so on GL running
   * it waits for the device and reads the pixels back, and the whole of it is timed as `read`.
   */
  private stats(kernels: BatchKernels, logits: KernelOutput, labels: Float32Array): BatchStats {
    return timed(this.profiler, 'read', () => {
      const [lossSum, correct] = this.runtime.read(kernels.stats(logits, labels), 1, 2);
      return { lossSum: lossSum as number, correct: Math.round(correct as number) };
    });
  }

  private kernelsFor(size: number): BatchKernels {
    let chosen: BatchKernels | undefined;
    for (const kernels of this.capacities.values()) {
      const fits = kernels.capacity >= size && kernels.capacity <= size * PAD_LIMIT;
      if (fits && (!chosen || kernels.capacity < chosen.capacity)) chosen = kernels;
    }
    if (chosen) {
      this.capacities.delete(chosen.capacity);
    } else {
      chosen = new BatchKernels(this.runtime, this.plan, size);
      if (this.capacities.size >= MAX_CAPACITIES) {
        const [oldest] = this.capacities.values();
        oldest?.destroy();
        if (oldest) this.capacities.delete(oldest.capacity);
      }
    }
    this.capacities.set(chosen.capacity, chosen);
    return chosen;
  }

  /** `params` come from core in spec order (weight, bias per layer), which is `slotsInOrder()`. */
  private load(params: readonly ParameterTensor[]): void {
    this.slotsInOrder().forEach((slot, i) => {
      slot.load(Float32Array.from((params[i] as ParameterTensor).data));
    });
  }

  private slotsInOrder(): ParameterSlot[] {
    return [...this.slots.values()].flatMap(({ weight, bias }) => [weight, bias]);
  }

  /**
   * A stage's weight (core's shape: `[out, in]`, OIHW for a Conv2d) and bias. A Linear's output-feature rows are padded
   * for the packed kernels where they run (its gradients come with the same rows).
   */
  private slotsOf(stage: LinearStage | ConvStage) {
    const { layerIndex: i, weightShape: shape } = stage;
    const out = shape[0] as number;
    const rows = stage.kind === 'linear' ? storedRows(out, packsProducts(this.runtime.mode)) : out;
    return {
      weight: new ParameterSlot(this.runtime, `${i}.weight`, shape, rows),
      bias: new ParameterSlot(this.runtime, `${i}.bias`, [out], rows),
    };
  }

  private slotsAt(s: number) {
    const slots = this.slots.get(s);
    if (!slots) throw new Error(`internal: stage ${s} has no parameters`);
    return slots;
  }

  private checkAlive(): void {
    if (this.disposed) throw new XBackendError('DISPOSED', 'This gpujs model was disposed; compile the model again to use it.');
  }
}
