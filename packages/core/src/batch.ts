import type { FloatArray } from './tensor.js';

/**
 * Where the examples of a batch sit in a byte array held in memory: example `k` of the batch is row `index[k]` of
 * `bytes` (rows of `sampleShape`, row-major). A backend that can gather rows on its device (`Backend.readsBatchSource`)
 * reads this instead of `pixels`, so the host copies nothing.
 */
export interface BatchSource {
  readonly bytes: Uint8Array;
  readonly index: Int32Array;
}

/**
 * One mini-batch, host side. Shared by every backend so that all see identical data.
 *
 * 8-bit images travel as bytes: `pixels` holds them, and `x` is their float32 value (`v / 255`, see `pixels.ts`),
 * computed only when something reads it. A backend reads `pixels` when it is there and converts on its device (so no
 * per-batch float work happens on the host), and `x` otherwise; data that is not bytes (e.g. resized images) carries
 * `x` only. A shuffled batch of a data set in memory may also say where its rows are (`source`); its `pixels` are then
 * gathered when first read. A batch drawn from a `DataIter` is valid until the next batch of the same pass is drawn
 * (its buffers are reused): copy what you keep (`copyBatch`).
 */
export interface Batch {
  /** Row-major examples `[size, ...sampleShape]`, float32 in [0, 1]; for a batch of `pixels`, made on first read. */
  readonly x: Float32Array;
  /** The examples as bytes, `[size, ...sampleShape]`: byte `v` stands for the float32 value `v / 255`. */
  readonly pixels?: Uint8Array;
  /** The rows of a byte array in memory that `pixels` holds (optional; see `BatchSource`). */
  readonly source?: BatchSource;
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
  /**
   * The same examples in the same order, cut into batches of `batchSize` (optional). Core's `evaluateAccuracy` uses it
   * to evaluate in as few backend calls as the backend prefers (`Backend.evalBatchSize`); accuracy does not depend on it.
   */
  withBatchSize?(batchSize: number): DataIter;
}

/**
 * A copy of `batch` that owns its arrays (keeps `pixels` when it has them, not `source`), so it stays valid after the
 * next draw.
 */
export function copyBatch(batch: Batch): Batch {
  const common = { y: batch.y.slice(), size: batch.size, sampleShape: [...batch.sampleShape] };
  if (batch.pixels === undefined) return { ...common, x: batch.x.slice() };
  const pixels = batch.pixels.slice();
  let x: Float32Array | undefined;
  return {
    ...common,
    pixels,
    get x() {
      x ??= pixelsToUnit(pixels);
      return x;
    },
  };
}

/** `v / 255` in float32 for every byte `v`: torchvision's `ToTensor`, and what every backend must compute from `pixels`. */
const UNIT_OF_BYTE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** A copy of the 256-entry table `v → float32(v / 255)` (e.g. to upload as a lookup table, which is exact everywhere). */
export function unitOfByteTable(): Float32Array {
  return UNIT_OF_BYTE.slice();
}

/** The float32 values of `pixels` (`v / 255`), written into `out` (a new Float32Array by default; a Float64Array holds them exactly). */
export function pixelsToUnit(pixels: Uint8Array): Float32Array;
export function pixelsToUnit<T extends FloatArray>(pixels: Uint8Array, out: T): T;
export function pixelsToUnit(pixels: Uint8Array, out: FloatArray = new Float32Array(pixels.length)): FloatArray {
  for (let i = 0; i < pixels.length; i++) out[i] = UNIT_OF_BYTE[pixels[i] as number] as number;
  return out;
}
