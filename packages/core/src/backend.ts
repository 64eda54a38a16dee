import type { Batch } from './batch.js';
import type { Profiler } from './profile.js';
import type { DType, FloatArray, ParameterTensor } from './tensor.js';

/** One layer of a Sequential model, as data. Backends compile these; they never see core's Module objects. */
export type LayerSpec =
  | { readonly kind: 'flatten' }
  | { readonly kind: 'linear'; readonly inFeatures: number; readonly outFeatures: number }
  | { readonly kind: 'relu' }
  | { readonly kind: 'sigmoid' }
  | Conv2dSpec
  | Pool2dSpec;

/** `[height, width]`. */
export type Pair = readonly [number, number];

/**
 * PyTorch's Conv2d over examples `[channels, height, width]` (NCHW batches): a cross-correlation with zero padding,
 * weight `[outChannels, inChannels, kernelH, kernelW]` (OIHW) and bias `[outChannels]`. Output size per axis:
 * `floor((size + 2·padding − kernel) / stride) + 1`.
 */
export interface Conv2dSpec {
  readonly kind: 'conv2d';
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
}

/**
 * PyTorch's AvgPool2d / MaxPool2d without padding, per channel: output size `floor((size − kernel) / stride) + 1` per
 * axis (rows and columns that do not fill a window are dropped). An average divides by the window's area. A max passes
 * its gradient to the first largest value of the window in row-major order (as PyTorch does on ties).
 */
export interface Pool2dSpec {
  readonly kind: 'avgpool2d' | 'maxpool2d';
  readonly kernelSize: Pair;
  readonly stride: Pair;
}

/**
 * A classifier: Sequential layers ending in logits, trained with softmax cross-entropy from logits.
 * Parameters are named `${layerIndex}.weight` (PyTorch layout: `[out, in]` for Linear, `[out, in, kH, kW]` for Conv2d)
 * and `${layerIndex}.bias` (`[out]`). `layerShapes(spec)` gives the shape of every layer's output.
 */
export interface ModelSpec {
  readonly layers: readonly LayerSpec[];
  /** Shape of one example, e.g. `[1, 28, 28]`. */
  readonly inputShape: readonly number[];
  readonly numClasses: number;
}

/**
 * One SGD step on the *mean* cross-entropy of the batch: `w ← w − lr·(∂mean/∂w + weightDecay·w)`.
 * Core maps other reductions onto this, so backends implement exactly one update rule.
 */
export interface StepHyperparameters {
  readonly lr: number;
  readonly weightDecay: number;
}

/** What a step or an evaluation hands back to the host: two scalars per batch. */
export interface BatchStats {
  /** Sum of per-example cross-entropy losses (before the update, for a train step). */
  readonly lossSum: number;
  /** Examples whose arg-max logit equals the label. */
  readonly correct: number;
}

/**
 * A model compiled for one backend; parameters live on the backend's device between calls. Core checks everything
 * before it arrives here (`validate.ts`): the spec is valid, parameters come in `parameterShapes` order with the right
 * lengths and the backend's dtype, a batch fits the spec (labels in range where they are used), lr > 0 and
 * weight decay ≥ 0 are finite. An adapter checks only what is particular to its framework.
 *
 * Input: a batch with `pixels` (bytes) should be converted on the device, as `float32(v / 255)` bit for bit (a float32
 * division by 255, or a lookup in `unitOfByteTable()`; a multiplication by 1/255 is not the same); a batch without
 * `pixels` is read from `x`. A backend with `readsBatchSource` gathers the rows of `batch.source` on the device when a
 * batch has one. The first layer never needs the gradient with respect to its input: do not compute it.
 */
export interface CompiledModel {
  /**
   * Forward + loss + backward + update, one backend call where the framework allows. A batch's arrays may be reused
   * for the next batch once the returned promise settles, so an adapter must not keep them beyond the call.
   */
  trainStep(batch: Batch, hyper: StepHyperparameters): Promise<BatchStats>;
  /** Loss sum and correct count without changing the parameters. */
  evaluate(batch: Batch): Promise<BatchStats>;
  /** Logits `[batch.size, numClasses]`, row-major. */
  logits(batch: Batch): Promise<FloatArray>;
  /** Per-example cross-entropy losses, length `batch.size`. */
  losses(batch: Batch): Promise<FloatArray>;
  /** Host copies of the parameters, in spec order. */
  readParameters(): Promise<ParameterTensor[]>;
  /** Replaces every parameter (same names and shapes as at compile time). */
  writeParameters(params: readonly ParameterTensor[]): Promise<void>;
  /** Frees device memory; the model is unusable afterwards. */
  dispose(): Promise<void>;
}

/** A backend with one engine chosen: the only thing an adapter really implements. */
export interface Backend {
  /** e.g. `onnxruntime`. */
  readonly name: string;
  /** The engine actually in use, e.g. `wasm`; always reported. */
  readonly engine: string;
  readonly dtype: DType;
  /** Human-readable details (versions, threads, provider). */
  readonly details: Readonly<Record<string, string | number | boolean>>;
  /**
   * The batch size `evaluate` works best with (optional): core's `evaluateAccuracy` cuts the data into batches of this
   * size where the iterator can (`DataIter.withBatchSize`), so a test set takes as few calls as the framework allows.
   * Leave it out when batch size does not matter (a host loop).
   */
  readonly evalBatchSize?: number;
  /**
   * True when this backend's models read a batch's `source` (gathering its rows on the device) rather than its
   * `pixels` (optional). Core then never makes the host gather the pixels of such a batch.
   */
  readonly readsBatchSource?: boolean;
  /** Uploads `initial` (in `parameterShapes(spec.layers)` order) and prepares what the framework needs to train. */
  compile(spec: ModelSpec, initial: readonly ParameterTensor[]): Promise<CompiledModel>;
  dispose(): Promise<void>;
}

export interface BackendOptions {
  /** Arithmetic precision; backends that support only float32 reject float64. */
  readonly dtype?: DType;
  /** Intra-op threads where the engine has such a setting. */
  readonly threads?: number;
  /**
   * Whether idle intra-op threads busy-wait for the next call (onnxruntime's `session.intra_op.allow_spinning`) where
   * the engine has such a setting: lower latency on an idle machine, cores burnt between steps on a shared one.
   */
  readonly spinning?: boolean;
  /**
   * Optional timing hook (see `profile.ts`): an adapter may time its host reads (results copied back from the device,
   * including any wait for the device) as `read`. Core times its own loop through the same profiler.
   */
  readonly profiler?: Profiler;
}

/** A lazily created engine of an adapter (tfjs-style factory), listed in priority order. */
export interface EngineFactory {
  readonly name: string;
  readonly description: string;
  /** Why this engine cannot run here (and how to fix that), or `undefined` when it can. Never throws. */
  unavailableReason(): Promise<string | undefined>;
  create(options: BackendOptions): Promise<Backend>;
}

/** What an adapter package exports as `adapter`. */
export interface BackendAdapter {
  readonly name: string;
  readonly description: string;
  /** Highest priority first; the first available one is used when no engine is named. */
  readonly engines: readonly EngineFactory[];
}
