/** One mini-batch, host side. Shared by every backend so that all see identical data. */
export interface Batch {
  /** Row-major pixels `[size, ...sampleShape]`, float32 in [0, 1]. */
  readonly x: Float32Array;
  /** Class index of each example, length `size`. */
  readonly y: Int32Array;
  /** Number of examples (the last batch of an epoch may be smaller than the batch size). */
  readonly size: number;
  /** Shape of one example, e.g. `[1, 28, 28]`. */
  readonly sampleShape: readonly number[];
}

/**
 * A re-iterable source of batches (d2l's DataLoader). Each `[Symbol.iterator]()` call starts the next epoch;
 * `epoch(e)` gives the batches of epoch `e` directly, so a resumed run sees the same order.
 */
export interface DataIter extends Iterable<Batch> {
  readonly numExamples: number;
  readonly batchSize: number;
  readonly numBatches: number;
  readonly sampleShape: readonly number[];
  readonly numClasses: number;
  /** Batches of epoch `e` (0-based), optionally starting at batch `from`. */
  epoch(e: number, from?: number): Iterable<Batch>;
}
