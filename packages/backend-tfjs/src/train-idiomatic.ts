import type * as tfc from '@tensorflow/tfjs-core';
import {
  type Batch,
  checkLr,
  checkModelSpec,
  checkParameters,
  checkWeightDecay,
  type DataIter,
  InvalidArgumentError,
  type LayerSpec,
  type ModelSpec,
  type ParameterTensor,
} from '@xbackend/core';
import { buildSequential, checkBuildable, downloadParameters, uploadParameters } from './build-model.js';
import type { Details, TfjsEngineName } from './runtime.js';
import { findEngine, startEngine } from './start-engine.js';
import type { Tfc } from './tfjs-modules.js';

export interface IdiomaticTrainOptions {
  /** tfjs engine; the first available one ('tensorflow', 'wasm', 'cpu') when omitted. */
  readonly engine?: TfjsEngineName;
  readonly trainIter: DataIter;
  readonly testIter: DataIter;
  /** The Sequential, as core describes it (e.g. `net.layers`). */
  readonly layers: readonly LayerSpec[];
  /** Initial parameters in core's layout (`${i}.weight` `[out, in]`, `${i}.bias`), e.g. from `net.stateDict()`. */
  readonly initial: readonly ParameterTensor[];
  readonly lr: number;
  /** Keras-style: an L2 regulariser `weightDecay/2·Σw²` on every kernel and bias (the reported loss includes it). */
  readonly weightDecay?: number;
  readonly epochs: number;
  /** First epoch index to use from the iterators (their `epoch(e)` order); default 0. */
  readonly firstEpoch?: number;
  readonly threads?: number;
  readonly onEpoch?: (metrics: IdiomaticEpochMetrics) => void;
}

export interface IdiomaticEpochMetrics {
  readonly epoch: number;
  /** Per-example average over the epoch while the weights change (Keras' epoch loss, as d2l's Accumulator). */
  readonly trainLoss: number;
  readonly trainAcc: number;
  readonly testLoss: number;
  readonly testAcc: number;
  /** Wall time of `model.fitDataset` for this epoch (data upload included). */
  readonly trainMs: number;
  /** Wall time of `model.evaluateDataset` on the test set. */
  readonly evalMs: number;
}

export interface IdiomaticTrainResult {
  readonly engine: TfjsEngineName;
  readonly details: Details;
  readonly epochs: IdiomaticEpochMetrics[];
  /** Final parameters in core's layout. */
  readonly parameters: ParameterTensor[];
}

/** One epoch of a DataIter as a tf.data dataset of `{ xs, ys }` (one-hot labels), in the iterator's order. */
function dataset(tf: Tfc, tfd: typeof import('@tensorflow/tfjs-data'), batches: Iterable<Batch>, numClasses: number) {
  return tfd.generator(function* () {
    for (const b of batches) {
      yield tf.tidy(() => ({
        xs: tf.tensor(b.x, [b.size, ...b.sampleShape], 'float32'),
        ys: tf.cast(tf.oneHot(tf.tensor1d(b.y, 'int32'), numClasses), 'float32'),
      }));
    }
  });
}

function historyValue(values: (number | tfc.Tensor)[] | undefined, key: string): number {
  const value = values?.[0];
  if (typeof value !== 'number') throw new Error(`internal: fitDataset reported no numeric '${key}'`);
  return value;
}

/**
 * The bench's baseline: the same training written the way a tfjs user would — `tf.sequential` of tf.layers,
 * `model.compile` with `tf.train.sgd` and `tf.losses.softmaxCrossEntropy` on logits, `model.fitDataset` over a
 * `tf.data.generator`, `model.evaluateDataset` for the test set — with the same batches in the same order
 * (`trainIter.epoch(e)`, no shuffling), the same initial weights and lr. One fitDataset call per epoch so that
 * training and test evaluation are timed separately.
 */
export async function trainIdiomatic(options: IdiomaticTrainOptions): Promise<IdiomaticTrainResult> {
  const { trainIter, testIter, lr, epochs } = options;
  checkLr(lr);
  const weightDecay = checkWeightDecay(options.weightDecay ?? 0);
  if (!Number.isSafeInteger(epochs) || epochs <= 0) throw new InvalidArgumentError(`epochs must be a positive integer, got ${epochs}.`);
  const firstEpoch = options.firstEpoch ?? 0;
  if (!Number.isSafeInteger(firstEpoch) || firstEpoch < 0)
    throw new InvalidArgumentError(`firstEpoch must be an integer >= 0, got ${firstEpoch}.`);
  const spec: ModelSpec = { layers: options.layers, inputShape: [...trainIter.sampleShape], numClasses: trainIter.numClasses };
  if (testIter.sampleShape.join() !== trainIter.sampleShape.join() || testIter.numClasses !== trainIter.numClasses) {
    throw new InvalidArgumentError(
      `testIter has examples [${testIter.sampleShape}] with ${testIter.numClasses} classes; trainIter has [${trainIter.sampleShape}] with ${trainIter.numClasses}.`,
    );
  }
  checkModelSpec(spec);
  checkBuildable(spec.layers);
  const params = checkParameters(spec.layers, options.initial, 'trainIdiomatic');

  const runtime = await startEngine(await findEngine(options.engine), options.threads === undefined ? {} : { threads: options.threads });
  const tfd = await import('@tensorflow/tfjs-data');
  const { tf, tfl } = runtime;
  // The whole run holds the engine queue: fitDataset awaits between batches, and tfjs has one active backend.
  return runtime.run(async () => {
    const built = buildSequential(tfl, spec, weightDecay > 0 ? { l2: weightDecay / 2 } : {});
    const optimizer = tf.train.sgd(lr);
    try {
      uploadParameters(tf, built, params);
      const { model } = built;
      model.compile({
        optimizer,
        loss: (yTrue: tfc.Tensor, yPred: tfc.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
        metrics: ['accuracy'],
      });
      const history: IdiomaticEpochMetrics[] = [];
      for (let epoch = firstEpoch; epoch < firstEpoch + epochs; epoch++) {
        const trainStart = performance.now();
        const fit = await model.fitDataset(dataset(tf, tfd, trainIter.epoch(epoch), spec.numClasses), { epochs: 1, verbose: 0 });
        const trainMs = performance.now() - trainStart;
        const evalStart = performance.now();
        const scores = [await model.evaluateDataset(dataset(tf, tfd, testIter.epoch(0), spec.numClasses), {})].flat();
        const [testLoss, testAcc] = await Promise.all(scores.map(async (s) => (await s.data())[0] as number));
        tf.dispose(scores);
        const metrics: IdiomaticEpochMetrics = {
          epoch,
          trainLoss: historyValue(fit.history.loss, 'loss'),
          trainAcc: historyValue(fit.history.acc, 'acc'),
          testLoss: testLoss as number,
          testAcc: testAcc as number,
          trainMs,
          evalMs: performance.now() - evalStart,
        };
        history.push(metrics);
        options.onEpoch?.(metrics);
      }
      return { engine: runtime.engine, details: runtime.details, epochs: history, parameters: await downloadParameters(built) };
    } finally {
      built.model.dispose();
      optimizer.dispose();
    }
  });
}
