/** Checks of training steps: one SGD step, 20-step trajectories and a few hundred MLP steps, against the oracle. */
import type { Batch, BatchStats, LayerSpec, ModelPreset, ParameterTensor, StepHyperparameters } from '@xbackend/core';
import { buildNet, once, type ParityCheck, SEEDS, worst } from './check.js';
import { batchAt, batchRange, fashionMnist } from './data.js';
import { type EngineRef, withEngine } from './engine-ref.js';
import { relativeError, updateError } from './measures.js';
import { ORACLE } from './oracle.js';

/**
 * Weight decay large enough to matter: `lr·wd·w` is about 2 % of a step here, 10⁴ times the float32 error of the
 * step, so a backend that ignores it fails the step and trajectory checks by far.
 */
export const WEIGHT_DECAY = 0.05;
const LR = 0.1;

export interface Run {
  readonly start: ParameterTensor[];
  readonly stats: BatchStats[];
  /** Parameters after every `every`-th step (and after the last one). */
  readonly checkpoints: Map<number, ParameterTensor[]>;
}

/** Trains `batches` in order from the seed's initial weights, reading the parameters back at the checkpoints. */
export async function train(
  ref: EngineRef,
  seed: number,
  preset: ModelPreset | readonly LayerSpec[],
  hyper: StepHyperparameters,
  batches: readonly Batch[],
  every: number,
) {
  return withEngine(ref, seed, async (loaded): Promise<Run> => {
    const net = buildNet(loaded, preset);
    const run: Run = { start: await net.stateDict(), stats: [], checkpoints: new Map() };
    for (const [i, batch] of batches.entries()) {
      run.stats.push(await net.trainStep(batch, hyper));
      if ((i + 1) % every === 0 || i === batches.length - 1) run.checkpoints.set(i + 1, await net.stateDict());
    }
    return run;
  });
}

/** Worst error over the steps: each step's loss sum, and the weights at each checkpoint relative to how far they moved. */
function trajectoryError(actual: Run, expected: Run): number {
  if (actual.stats.length !== expected.stats.length) return Number.POSITIVE_INFINITY;
  const losses = actual.stats.map((s, i) => relativeError(s.lossSum, (expected.stats[i] as BatchStats).lossSum));
  const weights = [...expected.checkpoints].map(([step, want]) => {
    const got = actual.checkpoints.get(step);
    return got ? updateError(got, want, expected.start) : Number.POSITIVE_INFINITY;
  });
  return worst([...losses, ...weights]);
}

export async function compareRuns(ref: EngineRef, key: string, run: (r: EngineRef) => Promise<Run>): Promise<number> {
  const expected = await once(ORACLE, key, () => run(ORACLE));
  return trajectoryError(await run(ref), expected);
}

/** Train batches 0 and 117 of 256 and the last one (96 examples), one per seed. */
const STEP_BATCHES = [0, 117, -1] as const;

/**
 * The worst error of one SGD step of each model from each seed's initial weights, on that seed's train batch of
 * STEP_BATCHES; `key` names the models in the oracle's cache.
 */
export async function stepError(
  ref: EngineRef,
  key: string,
  models: readonly (ModelPreset | readonly LayerSpec[])[],
  hyper: StepHyperparameters,
): Promise<number> {
  const [train256] = await fashionMnist(256);
  const errors: number[] = [];
  for (const [k, seed] of SEEDS.entries()) {
    const batch = batchAt(train256, STEP_BATCHES[k] as number);
    for (const [m, model] of models.entries()) {
      const run = (r: EngineRef) => train(r, seed, model, hyper, [batch], 1);
      errors.push(await compareRuns(ref, `${key}|${seed}|${m}`, run));
    }
  }
  return worst(errors);
}

export const sgdStepCheck: ParityCheck = {
  name: 'sgdStep',
  title: `takes the same SGD step with weight decay ${WEIGHT_DECAY} (softmax and MLP, seeds 0–2, train batches 0, 117 and the last, partial one)`,
  relativeTo: 'the largest |update| of the reference step (loss sums: the reference sum)',
  measure: (ref) => stepError(ref, 'step', ['softmax', 'mlp'], { lr: LR, weightDecay: WEIGHT_DECAY }),
};

/** 20 steps of 64: batches 0–18 and the last, partial one (32 examples). */
async function trajectoryBatches(): Promise<Batch[]> {
  const [train64] = await fashionMnist(64);
  return [...batchRange(train64, 0, 19), batchAt(train64, -1)];
}

export const trajectoryCheck: ParityCheck = {
  name: 'trajectory',
  title: `follows the same 20-step trajectory, compared step by step (softmax and MLP, weight decay 0 and ${WEIGHT_DECAY}, batches of 64 ending with a partial one)`,
  relativeTo: 'the largest |distance the reference weights moved from the start| at that step (loss sums: the reference sum)',
  async measure(ref) {
    const batches = await trajectoryBatches();
    const errors: number[] = [];
    for (const preset of ['softmax', 'mlp'] as const) {
      for (const weightDecay of [0, WEIGHT_DECAY]) {
        const run = (r: EngineRef) => train(r, 0, preset, { lr: LR, weightDecay }, batches, 1);
        errors.push(await compareRuns(ref, `trajectory|${preset}|${weightDecay}`, run));
      }
    }
    return worst(errors);
  },
};

/** Replaces ten epochs of the MLP per engine: a few hundred steps say as much about the MLP's training, in seconds. */
export const MLP_STEPS = 200;

export const mlpRunCheck: ParityCheck = {
  name: 'mlpRun',
  title: `trains the MLP for ${MLP_STEPS} steps of 64 along the same path (loss every step, weights every 20 steps)`,
  relativeTo: 'the reference loss sum of each step, and the largest |distance the reference weights moved| at each checkpoint',
  async measure(ref) {
    const [train64] = await fashionMnist(64);
    const batches = batchRange(train64, 0, MLP_STEPS);
    return compareRuns(ref, 'mlpRun', (r) => train(r, 0, 'mlp', { lr: LR, weightDecay: 0 }, batches, 20));
  },
};
