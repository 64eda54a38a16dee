import {
  type LayerSpec,
  type LoadedBackend,
  type ModelPreset,
  type Module,
  PRESET_TRAINING,
  presetLayers,
  sequentialOf,
  xavierUniform,
} from '@xbackend/core';
import type { EngineRef } from './engine-ref.js';

export type CheckName =
  | 'initialWeights'
  | 'logits'
  | 'losses'
  | 'sgdStep'
  | 'trajectory'
  | 'epochCurve'
  | 'epochWeights'
  | 'crossEvaluation'
  | 'extremeLogits'
  | 'mlpRun'
  | 'lenetLogits'
  | 'lenetStep'
  | 'lenetRun'
  | 'oddWindows'
  | 'saturatedSigmoid';

/**
 * One parity check: a plain function that runs an engine (and the float64 oracle) and returns the measured error,
 * a dimensionless number that the suite compares with the engine's tolerance for this check. The same functions
 * serve the suite, the parity report and the mutation tests.
 */
export interface ParityCheck {
  /** The key of this check in a tolerance table. */
  readonly name: CheckName;
  /** What it does, as the test title. */
  readonly title: string;
  /** What the error is measured relative to. */
  readonly relativeTo: string;
  measure(ref: EngineRef): Promise<number>;
}

/** The seeds of the initial weights that the checks run with. */
export const SEEDS = [0, 1, 2] as const;

/** Fashion-MNIST's example shape and class count. */
export const IMAGE_SHAPE = [1, 28, 28] as const;

/**
 * A model as the checks build it: a preset initialised as the book does (§3.7 and §4.3: N(0, 0.01); §7.6's LeNet:
 * Xavier-uniform), or a layer list of the checks' own (Xavier-uniform).
 */
export function buildNet({ nn }: LoadedBackend, model: ModelPreset | readonly LayerSpec[]): Module {
  if (typeof model !== 'string') return sequentialOf(nn, model).apply(xavierUniform());
  return sequentialOf(nn, presetLayers(model, IMAGE_SHAPE, 10)).apply(PRESET_TRAINING[model].initializer());
}

const memos = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Computes `key` once per engine and process: runs that several checks share (one epoch of training) and the
 * oracle's side of every comparison, which is the same for every engine tested in a process.
 */
export function once<T>(ref: EngineRef, key: string, compute: () => Promise<T>): Promise<T> {
  let memo = memos.get(ref.adapter);
  if (!memo) {
    memo = new Map();
    memos.set(ref.adapter, memo);
  }
  const full = `${ref.engine}|${key}`;
  let result = memo.get(full) as Promise<T> | undefined;
  if (!result) {
    result = compute();
    memo.set(full, result);
  }
  return result;
}

export function worst(errors: Iterable<number>): number {
  let max = 0;
  for (const e of errors) max = Number.isNaN(e) ? Number.POSITIVE_INFINITY : Math.max(max, e);
  return max;
}
