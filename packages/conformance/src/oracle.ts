/**
 * The one float64 oracle: `@xbackend/backend-reference`'s float64 engine, checked on its own by central finite
 * differences (backend-reference's tests) and by the book's published 10-epoch numbers (example-scripts.test.ts).
 * Inputs are checked by core's rules first, so a test that feeds the oracle nonsense fails loudly.
 */

import { adapter as referenceAdapter } from '@xbackend/backend-reference';
import {
  type Batch,
  type BatchStats,
  type CompiledModel,
  castParameters,
  checkBatch,
  checkModelSpec,
  checkParameters,
  checkStep,
  createEngine,
  type ModelSpec,
  type ParameterTensor,
  type StepHyperparameters,
} from '@xbackend/core';

/** The backend and engine every other one is compared with. */
export const ORACLE = { adapter: referenceAdapter, engine: 'float64' } as const;

export function isOracle(adapterName: string, engine: string): boolean {
  return adapterName === ORACLE.adapter.name && engine === ORACLE.engine;
}

async function withOracleModel<T>(
  spec: ModelSpec,
  params: readonly ParameterTensor[],
  use: (model: CompiledModel) => Promise<T>,
): Promise<T> {
  checkModelSpec(spec);
  const ordered = checkParameters(spec.layers, params, 'the float64 oracle');
  const backend = await createEngine(ORACLE.adapter, ORACLE.engine);
  try {
    return await use(await backend.compile(spec, castParameters(ordered, 'float64')));
  } finally {
    await backend.dispose();
  }
}

export interface ReferenceForward {
  /** `[batch.size, numClasses]`, row-major. */
  readonly logits: Float64Array;
  readonly losses: Float64Array;
  readonly lossSum: number;
  readonly correct: number;
}

export interface ReferenceStep extends ReferenceForward {
  /** The parameters after `w ← w − lr·(∂mean/∂w + weightDecay·w)`, in spec order. */
  readonly params: ParameterTensor[];
}

async function forwardOf(model: CompiledModel, batch: Batch): Promise<ReferenceForward> {
  const [logits, losses, stats] = [await model.logits(batch), await model.losses(batch), await model.evaluate(batch)];
  return { logits: Float64Array.from(logits), losses: Float64Array.from(losses), ...stats };
}

/** Logits, per-example losses, loss sum and correct count of `batch`, in float64. */
export function referenceForward(spec: ModelSpec, params: readonly ParameterTensor[], batch: Batch): Promise<ReferenceForward> {
  checkBatch(spec, batch, true);
  return withOracleModel(spec, params, (model) => forwardOf(model, batch));
}

/** One SGD step on the mean cross-entropy in float64: the forward pass before it and the parameters after it. */
export function referenceStep(
  spec: ModelSpec,
  params: readonly ParameterTensor[],
  batch: Batch,
  hyper: StepHyperparameters,
): Promise<ReferenceStep> {
  checkBatch(spec, batch, true);
  checkStep(hyper);
  return withOracleModel(spec, params, async (model) => {
    const before = await forwardOf(model, batch);
    await model.trainStep(batch, hyper);
    return { ...before, params: await model.readParameters() };
  });
}

export interface TrajectoryStep {
  readonly batch: Batch;
  readonly hyper: StepHyperparameters;
}

/** Several SGD steps in float64: what each step returned and the parameters after it. */
export function referenceTrajectory(
  spec: ModelSpec,
  params: readonly ParameterTensor[],
  steps: readonly TrajectoryStep[],
): Promise<{ stats: BatchStats[]; params: ParameterTensor[][] }> {
  for (const { batch, hyper } of steps) {
    checkBatch(spec, batch, true);
    checkStep(hyper);
  }
  return withOracleModel(spec, params, async (model) => {
    const stats: BatchStats[] = [];
    const after: ParameterTensor[][] = [];
    for (const { batch, hyper } of steps) {
      stats.push(await model.trainStep(batch, hyper));
      after.push(await model.readParameters());
    }
    return { stats, params: after };
  });
}
