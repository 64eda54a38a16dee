import type { DataIter } from '@xbackend/core';
import { peakRssBytes } from './peak-memory.js';
import type { EpochRecord, ProgressMessage, RunMeasurement, RunRequest } from './protocol.js';

/** One batch prepared in advance: its own copies of its pixel bytes, its rows in the data set, and its labels. */
export interface PreparedBatch {
  readonly pixels: Uint8Array;
  /** Rows of the data set (in file order for an unshuffled iterator). */
  readonly rows: Int32Array;
  readonly labels: Int32Array;
  readonly size: number;
}

/** Every batch of `iter`'s epoch `epoch`, copied out of the iterator's reused buffers. */
export function prepareEpoch(iter: DataIter, epoch: number): PreparedBatch[] {
  let first = 0;
  return Array.from(iter.epoch(epoch), (b) => {
    if (!b.pixels) throw new Error('internal: the bench data has pixel bytes');
    const rows = b.source ? b.source.index.slice() : Int32Array.from({ length: b.size }, (_, k) => first + k);
    first += b.size;
    return { pixels: b.pixels.slice(), rows, labels: b.y.slice(), size: b.size };
  });
}

/** What a floor does with one epoch's batches and with the test set. */
export interface FloorSession {
  /** Trains on the batches (in order); returns the summed loss and the correct count (d2l's running metrics). */
  train(batches: readonly PreparedBatch[]): Promise<{ lossSum: number; correct: number }>;
  /** Correct predictions on the test set. */
  correct(): Promise<number>;
}

/**
 * The timing loop of a floor row: each epoch's batches are gathered before its clock starts (so the row measures the
 * framework only), then training and the test evaluation are timed like an adapter's epoch.
 */
export async function runFloor(
  request: RunRequest,
  data: { train: DataIter; test: DataIter },
  session: FloorSession,
  start: { backend: string; engine: string; details: Readonly<Record<string, string | number | boolean>>; buildMs: number },
  onProgress: (message: ProgressMessage) => void,
): Promise<RunMeasurement> {
  const { train, test } = data;
  const totalEpochs = request.warmupEpochs + request.epochs;
  const epochs: EpochRecord[] = [];
  for (let epoch = 0; epoch < totalEpochs; epoch++) {
    const warmup = epoch < request.warmupEpochs;
    onProgress({
      type: 'progress',
      phase: warmup ? 'warmup' : 'measure',
      epoch: epoch + 1,
      totalEpochs,
      batch: 0,
      numBatches: train.numBatches,
    });
    const batches = prepareEpoch(train, epoch);
    const trainStart = performance.now();
    const { lossSum, correct } = await session.train(batches);
    const trainMs = performance.now() - trainStart;
    const evalStart = performance.now();
    const testCorrect = await session.correct();
    const evalMs = performance.now() - evalStart;
    epochs.push({
      warmup,
      trainLoss: lossSum / train.numExamples,
      trainAcc: correct / train.numExamples,
      testAcc: testCorrect / test.numExamples,
      trainMs,
      evalMs,
    });
  }
  return {
    backend: start.backend,
    engine: start.engine,
    dtype: 'float32',
    details: start.details,
    numTrainExamples: train.numExamples,
    numTestExamples: test.numExamples,
    numBatches: train.numBatches,
    buildMs: start.buildMs,
    epochs,
    stepMs: [],
    peakRssBytes: peakRssBytes(),
  };
}
