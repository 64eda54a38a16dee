// Test helper: the page's script in Node, on the same seed: what a browser engine's run is compared with.
import {
  type EpochMetrics,
  loadBackend,
  type ModelPreset,
  type ParameterTensor,
  PRESET_TRAINING,
  presetLayers,
  sequentialOf,
  trainCh3,
} from '@xbackend/core';
import { loadDataFashionMnist } from '@xbackend/datasets';

export interface RunSettings {
  /** The book's model (default: softmax, §3.7), initialised as the book does (core's `PRESET_TRAINING`). */
  readonly model?: ModelPreset;
  readonly batchSize: number;
  readonly lr: number;
  readonly epochs: number;
  readonly seed: number;
}

export interface ScriptRun {
  /** Every finished epoch's metrics; none when the run stopped within its first epoch. */
  readonly history: EpochMetrics[];
  /** Running train loss after every batch, epoch after epoch. */
  readonly curve: number[];
  readonly start: ParameterTensor[];
  readonly trained: ParameterTensor[];
}

/**
 * The book's script (the page's script.ts, minus the page) on `backend` in this Node process; with `steps`, the run
 * stops after that many train steps.
 */
export async function runInNode(backend: string, s: RunSettings, steps?: number): Promise<ScriptRun> {
  const model = s.model ?? 'softmax';
  const { nn, loss, optim, dispose } = await loadBackend(backend, { seed: s.seed });
  try {
    const [trainIter, testIter] = await loadDataFashionMnist(s.batchSize, { seed: s.seed });
    const net = sequentialOf(nn, presetLayers(model, trainIter.sampleShape, trainIter.numClasses));
    net.apply(PRESET_TRAINING[model].initializer());
    const start = await net.stateDict();
    const lossFn = loss.CrossEntropyLoss({ reduction: 'none' });
    const trainer = optim.SGD(net.parameters(), { lr: s.lr });
    const curve: number[] = [];
    const stop = new AbortController();
    let history: EpochMetrics[] = [];
    try {
      ({ history } = await trainCh3(net, trainIter, testIter, lossFn, s.epochs, trainer, {
        onEvent(event) {
          if (event.type !== 'batch') return;
          curve.push(event.trainLoss);
          if (curve.length === steps) stop.abort();
        },
        log: false,
        sanityChecks: 'off',
        signal: stop.signal,
      }));
    } catch (error) {
      if (!stop.signal.aborted) throw error;
    }
    return { history, curve, start, trained: await net.stateDict() };
  } finally {
    await dispose();
  }
}
