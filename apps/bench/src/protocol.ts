/**
 * What the bench parent and a run's child process say to each other over the IPC channel (JSON serialisation):
 * the parent sends one `RunRequest`; the child answers with `progress` messages and then one `result` or `error`.
 */
import type { ModelPreset } from '@xbackend/core';
import type { WeightInit } from '@xbackend/runs';
import type { MeasuredEpoch } from '@xbackend/runs/page-harness';

/** Where Fashion-MNIST comes from and how much of it a run uses. */
export interface DataSpec {
  /** Searched before the cache and /usr/share/datasets/fashion-mnist. */
  readonly dataDir?: string;
  /** false skips the SHA-256 check (fixtures); the IDX structure is still checked. */
  readonly verify: boolean;
  readonly download: boolean;
  /** Use only the first n training examples (the per-epoch shuffle is over those n). */
  readonly trainExamples?: number;
  /** Use only the first n test examples. */
  readonly testExamples?: number;
}

/** A deliberate failure, for testing how the harness reports a broken backend. */
export type FaultKind = 'throw' | 'crash';

/**
 * `adapter`: the xbackend adapter through core's training loop; `idiomatic`: plain tfjs `model.fitDataset`; `floor`: the
 * same work as a minimal loop straight against a framework (onnxruntime, tfjs ops), no xbackend code in it; `peer`: a
 * Python program doing the same work (a numpy loop, the book's PyTorch code); `browser`: the adapter's browser engine
 * in the playground page in headless Chromium (run by the parent, not by a child process).
 */
export type RunKind = 'adapter' | 'idiomatic' | 'floor' | 'peer' | 'browser';

export interface RunRequest {
  readonly type: 'run';
  readonly kind: RunKind;
  /** What `loadBackend` is given for `adapter` runs (a short name, package name or path); `tfjs-idiomatic` for idiomatic runs. */
  readonly backend: string;
  /** Engine asked for; undefined lets the adapter choose (the engine used is reported back). */
  readonly engine?: string;
  readonly batchSize: number;
  readonly warmupEpochs: number;
  readonly epochs: number;
  /** The book's model every row trains (its preset layers). */
  readonly model: ModelPreset;
  readonly lr: number;
  /** How the initial weights are drawn (core's seeded initializer). */
  readonly init: WeightInit;
  readonly seed: number;
  readonly threads?: number;
  /** Whether idle intra-op threads spin between calls (onnxruntime); undefined: the engine's default. */
  readonly spinning?: boolean;
  /** The Python interpreter of the peer rows. */
  readonly python?: string;
  readonly data: DataSpec;
  /** The parent's registry (short name → package name or path), so the child resolves the same names. */
  readonly registry: Readonly<Record<string, string>>;
  /** Where the parent resolves adapter packages from; the child resolves from the same place. */
  readonly resolveFrom: string;
  /** Fails the run halfway through its first measured epoch. */
  readonly fault?: FaultKind;
}

export type Phase = 'data' | 'build' | 'warmup' | 'measure';

export interface ProgressMessage {
  readonly type: 'progress';
  readonly phase: Phase;
  /** 1-based over warm-up + measured epochs. */
  readonly epoch?: number;
  readonly totalEpochs?: number;
  readonly batch?: number;
  readonly numBatches?: number;
}

/**
 * Where an adapter run's epoch went, in milliseconds, from core's profiling hook: drawing batches (`data`), train
 * steps without their host reads (`compute`), host reads (`read`), test evaluation (`eval`) and what is left of the
 * epoch (`other`: core's loop, metrics, progress messages). `write` is the bookkeeping `xbackend train` does after the
 * epoch (metrics.json and curves.svg), measured after the epoch's clock stopped.
 */
export interface EpochSplit {
  readonly data: number;
  readonly compute: number;
  readonly read: number;
  readonly eval: number;
  readonly other: number;
  readonly write: number;
}

/** Per epoch, warm-up included (the fields a browser row's page reports too). */
export interface EpochRecord extends MeasuredEpoch {
  /** Adapter runs only. */
  readonly split?: EpochSplit;
}

/** Everything one child measured. Times in milliseconds. */
export interface RunMeasurement {
  readonly backend: string;
  /** The engine actually used, as the backend reports it. */
  readonly engine: string;
  readonly dtype: string;
  readonly details: Readonly<Record<string, string | number | boolean>>;
  readonly numTrainExamples: number;
  readonly numTestExamples: number;
  readonly numBatches: number;
  /** loadBackend (or engine start) until the model is compiled with its initial weights; browser runs: loadBackend in the page. */
  readonly buildMs: number;
  readonly epochs: readonly EpochRecord[];
  /** Every trainStep of the measured epochs; empty for the idiomatic baseline, whose loop tfjs owns. */
  readonly stepMs: readonly number[];
  /** The very first trainStep (kernel compilation, JIT warm-up); undefined for the idiomatic baseline. */
  readonly firstStepMs?: number;
  /** The child's peak resident set size (process.resourceUsage().maxRSS, i.e. VmHWM on Linux); undefined for browser runs. */
  readonly peakRssBytes?: number;
}

export interface ResultMessage {
  readonly type: 'result';
  readonly measurement: RunMeasurement;
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly name: string;
  readonly code?: string;
  readonly message: string;
  readonly stack?: string;
}

export type ChildMessage = ProgressMessage | ResultMessage | ErrorMessage;
