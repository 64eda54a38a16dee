import {
  evaluateAccuracy,
  type LoadedBackend,
  type ModelSpec,
  type Module,
  type ParameterTensor,
  type SanityCheck,
  sanityChecks,
  sequentialOf,
  trainCh3,
} from '@xbackend/core';
import { type EarlyStoppingState, type Hyperparameters, initializerOf, type RunEpoch } from '@xbackend/runs';
import type { RunData } from './data.js';
import type { Progress } from './epoch-progress.js';

/** Where training continues from (a checkpoint's training state). */
export interface FitStart {
  /** Epochs already done: training continues at epoch index `history.length`. */
  readonly history: readonly RunEpoch[];
  readonly weights: readonly ParameterTensor[];
  readonly earlyStopping?: EarlyStoppingState;
  readonly best?: readonly ParameterTensor[];
}

/** The state after an epoch, handed to `onEpoch` (which writes metrics files and checkpoints). */
export interface EpochSnapshot {
  readonly metrics: RunEpoch;
  readonly history: readonly RunEpoch[];
  readonly earlyStopping?: EarlyStoppingState;
  /** Best-validation weights so far (early stopping). */
  readonly best?: readonly ParameterTensor[];
  /** True for the last epoch of this run (epochs exhausted or early stopping triggered). */
  readonly isLast: boolean;
  readonly stoppingEarly: boolean;
  readonly net: Module;
}

export interface FitParams {
  readonly loaded: LoadedBackend;
  readonly data: RunData;
  readonly hyper: Hyperparameters;
  readonly model: ModelSpec;
  readonly start?: FitStart;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
  readonly onEpoch?: (snapshot: EpochSnapshot) => Promise<void> | void;
}

export interface FitResult {
  readonly net: Module;
  readonly history: RunEpoch[];
  /** d2l's sanity checks on the epoch whose weights the model holds. */
  readonly checks: SanityCheck[];
  readonly stoppedEarly: boolean;
  /** The epoch whose weights the model now holds (best validation epoch under early stopping, else the last). */
  readonly modelEpoch: number;
  readonly earlyStopping?: EarlyStoppingState;
}

/**
 * d2l `train_ch3` with the CLI's additions: validation accuracy after each epoch, early stopping that restores
 * the best weights, and a start point for resuming. Data order and initial weights depend only on the seed.
 */
export async function fit(params: FitParams): Promise<FitResult> {
  const { loaded, data, hyper } = params;
  const net = sequentialOf(loaded.nn, params.model.layers);
  if (params.start) await net.loadStateDict(params.start.weights);
  else net.apply(initializerOf(hyper.init));
  const lossFn = loaded.loss.CrossEntropyLoss({ reduction: 'none' });
  const trainer = loaded.optim.SGD(net.parameters(), { lr: hyper.lr, weightDecay: hyper.weightDecay });

  const history: RunEpoch[] = [...(params.start?.history ?? [])];
  const validation = data.validation;
  const patience = hyper.patience ?? Number.POSITIVE_INFINITY;
  let earlyStopping = validation
    ? (params.start?.earlyStopping ?? { bestEpoch: 0, bestValAcc: Number.NEGATIVE_INFINITY, epochsWithoutImprovement: 0 })
    : undefined;
  let best = params.start?.best;
  let stoppedEarly = false;

  const { checks } = await trainCh3(net, data.train, data.test, lossFn, hyper.epochs, trainer, {
    log: false,
    sanityChecks: 'report',
    history: params.start?.history ?? [],
    ...(params.signal ? { signal: params.signal } : {}),
    onEvent: (event) => {
      if (event.type === 'batch') params.progress?.batch(event);
    },
    afterEpoch: async (metrics) => {
      params.progress?.end();
      // Who trained the epoch: a resumed run may continue on another backend.
      const trainedBy = { backend: loaded.name, engine: loaded.engine };
      let record: RunEpoch = { ...metrics, ...trainedBy };
      if (validation && earlyStopping) {
        const valAcc = await evaluateAccuracy(net, validation);
        record = { ...metrics, valAcc, ...trainedBy };
        if (valAcc > earlyStopping.bestValAcc) {
          earlyStopping = { bestEpoch: metrics.epoch, bestValAcc: valAcc, epochsWithoutImprovement: 0 };
          best = await net.stateDict();
        } else {
          earlyStopping = { ...earlyStopping, epochsWithoutImprovement: earlyStopping.epochsWithoutImprovement + 1 };
        }
        stoppedEarly = earlyStopping.epochsWithoutImprovement >= patience && metrics.epoch < hyper.epochs;
      }
      history.push(record);
      await params.onEpoch?.({
        metrics: record,
        history,
        ...(earlyStopping ? { earlyStopping } : {}),
        ...(best ? { best } : {}),
        isLast: stoppedEarly || metrics.epoch >= hyper.epochs,
        stoppingEarly: stoppedEarly,
        net,
      });
      return stoppedEarly ? 'stop' : undefined;
    },
  });

  let modelEpoch = history.at(-1)?.epoch ?? 0;
  let modelChecks = checks;
  if (best && earlyStopping) {
    await net.loadStateDict(best);
    modelEpoch = earlyStopping.bestEpoch;
    // d2l checks the last epoch; with the best weights restored, check the epoch those weights come from.
    const kept = history.find((m) => m.epoch === modelEpoch);
    if (kept && checks.length > 0) modelChecks = sanityChecks(kept);
  }
  return { net, history, checks: modelChecks, stoppedEarly, modelEpoch, ...(earlyStopping ? { earlyStopping } : {}) };
}
