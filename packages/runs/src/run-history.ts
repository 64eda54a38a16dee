import type { DType, EpochMetrics } from '@xbackend/core';

/** One epoch as the CLI records it: core's metrics plus validation accuracy when a validation split is used. */
export interface RunEpoch extends EpochMetrics {
  readonly valAcc?: number;
}

/** Everything that defines a training run apart from the backend. Stored in metrics.json and in checkpoints. */
export interface Hyperparameters {
  readonly batchSize: number;
  readonly lr: number;
  readonly weightDecay: number;
  /** Total epochs asked for (early stopping may end sooner). */
  readonly epochs: number;
  readonly seed: number;
  /** Standard deviation of the N(0, std) initial weights. */
  readonly initStd: number;
  /** Fraction of the training set held out for validation (seeded split); absent without early stopping. */
  readonly valFraction?: number;
  /** Epochs without a better validation accuracy before training stops. */
  readonly patience?: number;
}

/** Early-stopping bookkeeping, saved in checkpoints so a resumed run stops where the uninterrupted one would. */
export interface EarlyStoppingState {
  readonly bestEpoch: number;
  readonly bestValAcc: number;
  readonly epochsWithoutImprovement: number;
}

export interface RunIdentity {
  readonly backend: string;
  readonly engine: string;
  readonly dtype: DType;
}
