import type { DType, EpochMetrics } from '@xbackend/core';
import type { WeightInit } from './weight-init.js';

/**
 * One epoch as the CLI records it: core's metrics, validation accuracy when a validation split is used, and the
 * backend and engine that trained it (a resumed run may continue on another backend; absent in older runs).
 */
export interface RunEpoch extends EpochMetrics {
  readonly valAcc?: number;
  readonly backend?: string;
  readonly engine?: string;
}

/** Everything that defines a training run apart from the backend. Stored in metrics.json and in checkpoints. */
export interface Hyperparameters {
  readonly batchSize: number;
  readonly lr: number;
  readonly weightDecay: number;
  /** Total epochs asked for (early stopping may end sooner). */
  readonly epochs: number;
  readonly seed: number;
  /** How the initial weights were drawn (runs written before LeNet recorded `initStd` instead; see `currentHyperparameters`). */
  readonly init: WeightInit;
  /** Fraction of the training set held out for validation (seeded split); absent without early stopping. */
  readonly valFraction?: number;
  /** Epochs without a better validation accuracy before training stops. */
  readonly patience?: number;
  /**
   * Save a checkpoint every n epochs (one is always saved after the last). Not part of the math: kept so that a
   * resumed run checkpoints as the original did; like `epochs` and `patience`, a resume may change it.
   */
  readonly checkpointEvery?: number;
}

/** Early-stopping bookkeeping, saved in checkpoints so a resumed run stops where the uninterrupted one would. */
export interface EarlyStoppingState {
  readonly bestEpoch: number;
  readonly bestValAcc: number;
  readonly epochsWithoutImprovement: number;
}

export interface RunIdentity {
  /** The adapter's own name. */
  readonly backend: string;
  /**
   * What loads that adapter again when `backend` is not a short name of the registry: the package name or absolute
   * path the run was started with (`--backend @scope/pkg` or `--backend ./adapter.js`). Absent for registry names.
   */
  readonly backendRef?: string;
  readonly engine: string;
  readonly dtype: DType;
}
