import { Accumulator } from './accumulator.js';
import type { DataIter } from './batch.js';
import type { EpochMetrics } from './epoch-metrics.js';
import { DivergenceError, InvalidArgumentError, SanityCheckError } from './errors.js';
import type { Loss } from './loss.js';
import type { Module } from './nn.js';
import type { Optimizer } from './optim.js';
import { timed } from './profile.js';

export type TrainEvent =
  | {
      readonly type: 'batch';
      readonly epoch: number;
      readonly batch: number;
      readonly numBatches: number;
      /** Running per-example averages so far in this epoch (d2l Accumulator). */
      readonly trainLoss: number;
      readonly trainAcc: number;
    }
  | { readonly type: 'epoch'; readonly metrics: EpochMetrics };

export interface SanityCheck {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

export interface TrainOptions {
  onEvent?: (event: TrainEvent) => void;
  /** Per-epoch lines; `console.log` unless `false` or another sink is given. */
  log?: false | ((line: string) => void);
  /** d2l asserts its checks (`'throw'`, the default); `'report'` only returns them. */
  sanityChecks?: 'throw' | 'report' | 'off';
  /** Resume: epochs already done (their metrics), so training continues at `history.length`. */
  history?: readonly EpochMetrics[];
  /** Called after each epoch's metrics (checkpoints, early stopping); return `'stop'` to end training. */
  afterEpoch?: (metrics: EpochMetrics, history: readonly EpochMetrics[]) => Promise<undefined | 'stop'> | undefined | 'stop';
  signal?: AbortSignal;
}

export interface TrainResult {
  readonly history: EpochMetrics[];
  readonly checks: SanityCheck[];
}

/**
 * The iterator `evaluateAccuracy` walks: `dataIter` re-cut into the backend's preferred evaluation batches
 * (`Backend.evalBatchSize`) when both allow it, so a test set takes as few backend calls as the framework allows.
 */
function evaluationBatches(net: Module, dataIter: DataIter): DataIter {
  const preferred = net.backend.evalBatchSize;
  if (preferred === undefined || preferred <= dataIter.batchSize || !dataIter.withBatchSize) return dataIter;
  return dataIter.withBatchSize(Math.min(preferred, dataIter.numExamples));
}

/**
 * d2l `evaluate_accuracy`: fraction of correctly classified examples over the whole iterator (in its order; the
 * batch size does not change the result). Timed as `eval` when the model has a profiler.
 */
export async function evaluateAccuracy(net: Module, dataIter: DataIter): Promise<number> {
  return timed(net.profiler, 'eval', async () => {
    const metric = new Accumulator(2); // correct, examples
    for (const batch of evaluationBatches(net, dataIter).epoch(0)) {
      const { correct } = await net.evaluate(batch);
      metric.add(correct, batch.size);
    }
    return metric.get(0) / metric.get(1);
  });
}

/** How often the training loop lets other work (signal handlers, a page's events) run when it can be aborted. */
const YIELD_MS = 100;

/**
 * d2l `train_epoch_ch3`: one pass over the data; returns per-example averages of loss and accuracy. With a profiler on
 * the model, drawing each batch is timed as `data` and each step as `compute`.
 */
export async function trainEpochCh3(
  net: Module,
  trainIter: DataIter,
  lossFn: Loss,
  updater: Optimizer,
  epoch: number,
  onEvent?: (event: TrainEvent) => void,
  signal?: AbortSignal,
): Promise<{ trainLoss: number; trainAcc: number }> {
  if (updater.module !== net) throw new InvalidArgumentError('The optimizer was created for another model.');
  const metric = new Accumulator(3); // loss sum, correct, examples
  const { profiler } = net;
  // Iterated by hand so that drawing a batch (`data`) and the step (`compute`) are timed apart.
  const batches = trainIter.epoch(epoch)[Symbol.iterator]();
  let step = 0;
  let lastYield = performance.now();
  try {
    for (;;) {
      if (signal) {
        // A backend that computes on this thread never lets the event loop run between steps, so an abort (Ctrl-C)
        // would wait for the epoch to end: give the loop a turn every YIELD_MS (a fraction of a percent of the time).
        if (performance.now() - lastYield > YIELD_MS) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          lastYield = performance.now();
        }
        signal.throwIfAborted();
      }
      const next = timed(profiler, 'data', () => {
        const drawn = batches.next();
        // A batch that knows its rows gathers its pixels when they are first read: here, as data, unless the backend
        // gathers the rows itself on its device.
        if (!drawn.done && !net.backend.readsBatchSource) void drawn.value.pixels;
        return drawn;
      });
      if (next.done) break;
      const batch = next.value;
      const hyper = lossFn.stepFor(batch.size, { lr: updater.lr, weightDecay: updater.weightDecay });
      const { lossSum, correct } = await timed(profiler, 'compute', () => net.trainStep(batch, hyper));
      if (!Number.isFinite(lossSum)) throw new DivergenceError(epoch, step, updater.lr, lossSum);
      metric.add(lossSum, correct, batch.size);
      step++;
      onEvent?.({
        type: 'batch',
        epoch: epoch + 1,
        batch: step,
        numBatches: trainIter.numBatches,
        trainLoss: metric.get(0) / metric.get(2),
        trainAcc: metric.get(1) / metric.get(2),
      });
    }
  } finally {
    batches.return?.();
  }
  return { trainLoss: metric.get(0) / metric.get(2), trainAcc: metric.get(1) / metric.get(2) };
}

/** d2l's end-of-training assertions, as data. */
export function sanityChecks(last: EpochMetrics): SanityCheck[] {
  return [
    { name: 'train loss < 0.5', passed: last.trainLoss < 0.5, detail: `train loss ${last.trainLoss.toFixed(4)}` },
    { name: '0.7 < train acc <= 1', passed: last.trainAcc > 0.7 && last.trainAcc <= 1, detail: `train acc ${last.trainAcc.toFixed(4)}` },
    { name: '0.7 < test acc <= 1', passed: last.testAcc > 0.7 && last.testAcc <= 1, detail: `test acc ${last.testAcc.toFixed(4)}` },
  ];
}

export function formatEpoch(m: EpochMetrics): string {
  return `epoch ${m.epoch}: train loss ${m.trainLoss.toFixed(4)}, train acc ${m.trainAcc.toFixed(4)}, test acc ${m.testAcc.toFixed(4)} (${m.seconds.toFixed(2)} s)`;
}

/** d2l `train_ch3`: trains for `numEpochs`, re-evaluating test accuracy after every epoch. */
export async function trainCh3(
  net: Module,
  trainIter: DataIter,
  testIter: DataIter,
  lossFn: Loss,
  numEpochs: number,
  updater: Optimizer,
  options: TrainOptions = {},
): Promise<TrainResult> {
  if (!Number.isSafeInteger(numEpochs) || numEpochs <= 0) {
    throw new InvalidArgumentError(`numEpochs must be a positive integer, got ${numEpochs}.`);
  }
  const log = options.log === false ? undefined : (options.log ?? ((line: string) => console.log(line)));
  const history: EpochMetrics[] = [...(options.history ?? [])];
  log?.(`training on ${net.backend.name}/${net.backend.engine} (${net.backend.dtype})`);
  for (let epoch = history.length; epoch < numEpochs; epoch++) {
    const started = performance.now();
    const { trainLoss, trainAcc } = await trainEpochCh3(net, trainIter, lossFn, updater, epoch, options.onEvent, options.signal);
    const testAcc = await evaluateAccuracy(net, testIter);
    const metrics: EpochMetrics = { epoch: epoch + 1, trainLoss, trainAcc, testAcc, seconds: (performance.now() - started) / 1000 };
    history.push(metrics);
    options.onEvent?.({ type: 'epoch', metrics });
    log?.(formatEpoch(metrics));
    if ((await options.afterEpoch?.(metrics, history)) === 'stop') break;
  }
  const last = history.at(-1);
  const mode = options.sanityChecks ?? 'throw';
  const checks = last && mode !== 'off' ? sanityChecks(last) : [];
  const failures = checks.filter((c) => !c.passed).map((c) => `${c.name} (${c.detail})`);
  if (failures.length > 0 && mode === 'throw') throw new SanityCheckError(failures, history);
  return { history, checks };
}
