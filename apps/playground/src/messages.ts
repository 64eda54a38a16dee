import type { EngineStatus, EpochMetrics, ParameterTensor, TrainEvent } from '@xbackend/core';
import type { WebLoadProgress } from '@xbackend/datasets';
import type { RunConfig } from './run-config.ts';

/** What the page asks a worker: the engines it can run, or one training run (one run per worker). */
export type ToWorker = { readonly type: 'list' } | { readonly type: 'train'; readonly config: RunConfig };

/** The first test images with their true and predicted classes (d2l `predict_ch3`). */
export interface Predictions {
  /** `count × rows × cols` pixel bytes. */
  readonly pixels: Uint8Array;
  readonly rows: number;
  readonly cols: number;
  readonly labels: number[];
  readonly predicted: number[];
}

export interface BackendInfo {
  readonly backend: string;
  readonly engine: string;
  readonly dtype: string;
  readonly details: Readonly<Record<string, string | number | boolean>>;
  /** How long `loadBackend` took (the framework's modules, its runtime, the engine's start). */
  readonly loadMs: number;
}

/** trainCh3's batch event (running per-example averages of the epoch so far), plus the step time. */
export type BatchProgress = Omit<Extract<TrainEvent, { type: 'batch' }>, 'type'> & {
  /** Mean wall time of this epoch's steps so far, its first step (which may compile) left out. */
  readonly msPerStep: number | undefined;
  /** The running train loss after each step since the previous batch message (they are sent a few times a second). */
  readonly trainLosses: number[];
};

export interface EpochReport {
  readonly metrics: EpochMetrics;
  readonly msPerStep: number | undefined;
  /** The running train loss after every batch of this epoch. */
  readonly curve: number[];
  /** Wall time of every train step of this epoch, in order (core's `compute` phase). */
  readonly stepMs: number[];
  /** Wall time of the test evaluation after the epoch; the rest of `metrics.seconds` is the training pass. */
  readonly evalMs: number;
  /** The parameters at the end of this epoch. */
  readonly parameters: ParameterTensor[];
}

/** What a worker tells the page. */
export type FromWorker =
  | { readonly type: 'engines'; readonly statuses: EngineStatus[] }
  | { readonly type: 'status'; readonly text: string }
  | { readonly type: 'data'; readonly progress: WebLoadProgress }
  | ({ readonly type: 'started' } & BackendInfo)
  | ({ readonly type: 'batch' } & BatchProgress)
  | ({ readonly type: 'epoch' } & EpochReport)
  | { readonly type: 'done'; readonly predictions: Predictions }
  | { readonly type: 'error'; readonly code: string; readonly message: string };
