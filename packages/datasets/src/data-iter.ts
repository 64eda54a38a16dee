import { type Batch, type BatchSource, type DataIter, InvalidArgumentError, pixelsToUnit, Rng, unitOfByteTable } from '@xbackend/core';
import { checkKnownKeys, describe, integer, nonNegativeInteger, optionalBoolean, positiveInteger } from './check.js';
import { BilinearResize } from './resize.js';

export interface DataIterOptions {
  readonly batchSize: number;
  /** Shape of one example in `images`, e.g. `[1, 28, 28]`. */
  readonly sampleShape: readonly number[];
  /** Reshuffle every epoch from `Rng.seeded(seed, 'shuffle', epoch)` (default false: file order). */
  readonly shuffle?: boolean;
  readonly seed?: number;
  /** Resize the last two dimensions to `resize × resize` (bilinear, as d2l's `Resize`). */
  readonly resize?: number;
  /** Labels must lie in 0..numClasses-1 (default 10). */
  readonly numClasses?: number;
}

const DATA_ITER_KEYS = ['batchSize', 'sampleShape', 'shuffle', 'seed', 'resize', 'numClasses'];

/** `value / 255` for every byte, in float32: what torchvision's `ToTensor` gives (for resized images, made on the host). */
const BYTE_TO_UNIT = unitOfByteTable();

/**
 * The order in which epoch `epoch` of a shuffled iterator visits `numExamples` examples: a seeded Fisher–Yates
 * shuffle from `Rng.seeded(seed, 'shuffle', epoch)`. Exported so that programs outside JavaScript (the bench's Python
 * peers) can walk exactly the same batches.
 */
export function epochOrder(numExamples: number, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(numExamples);
  for (let i = 0; i < numExamples; i++) order[i] = i;
  return Rng.seeded(seed, 'shuffle', epoch).shuffle(order);
}

/**
 * A d2l DataLoader over in-memory bytes: batches of `batchSize` (the last one may be smaller). Each epoch's order
 * depends only on (seed, epoch), so any epoch can be replayed or resumed.
 *
 * Batches carry the pixel bytes (`pixels`) and int32 labels, gathered into buffers that one pass (one iteration of
 * `epoch(e)`) reuses for all its batches; `x`, their float32 values, is made only if something reads it. In file order
 * the pixels are views of the data set; shuffled, a batch also says which rows it holds (`source`) and gathers its
 * pixels when they are first read, so a backend that gathers rows on its device makes the host copy nothing. A batch
 * is valid until the next batch of its pass is drawn: reading it after that throws (copy what you keep with core's
 * `copyBatch`). Resized images carry float32 `x` only, in a reused buffer too.
 */
export function createDataIter(images: Uint8Array, labels: Uint8Array | Int32Array, options: DataIterOptions): DataIter {
  checkKnownKeys(options, DATA_ITER_KEYS);
  const batchSize = positiveInteger(options.batchSize, 'batchSize');
  const shuffle = optionalBoolean(options.shuffle, 'shuffle') ?? false;
  const seed = integer(options.seed ?? 0, 'seed');
  const numClasses = positiveInteger(options.numClasses ?? 10, 'numClasses');
  const inputShape = checkShape(options.sampleShape);
  if (!(images instanceof Uint8Array))
    throw new InvalidArgumentError(`images must be a Uint8Array of pixel bytes, got ${describe(images)}.`);
  if (!(labels instanceof Uint8Array || labels instanceof Int32Array)) {
    throw new InvalidArgumentError(`labels must be a Uint8Array or Int32Array, got ${describe(labels)}.`);
  }
  const count = labels.length;
  const sampleSize = inputShape.reduce((a, b) => a * b, 1);
  if (count === 0) throw new InvalidArgumentError('labels is empty: a data iterator needs at least one example.');
  if (images.length !== count * sampleSize) {
    throw new InvalidArgumentError(
      `images has ${images.length} bytes, but ${count} labels of sampleShape [${inputShape.join(', ')}] need ${count * sampleSize}.`,
    );
  }
  for (let i = 0; i < count; i++) {
    const label = labels[i] as number;
    if (label < 0 || label >= numClasses) throw new InvalidArgumentError(`labels[${i}] is ${label}, outside 0..${numClasses - 1}.`);
  }
  let resizer: BilinearResize | undefined;
  let sampleShape = inputShape;
  if (options.resize !== undefined) {
    const size = positiveInteger(options.resize, 'resize');
    if (inputShape.length < 2)
      throw new InvalidArgumentError(`resize needs images of at least two dimensions, got sampleShape [${inputShape.join(', ')}].`);
    const [rows, cols] = inputShape.slice(-2) as [number, number];
    resizer = new BilinearResize(rows, cols, size, size);
    sampleShape = [...inputShape.slice(0, -2), size, size];
  }
  // A plain Uint8Array view of the bytes (no copy): a Node Buffer's subarray() is several times slower per batch.
  const bytes = new Uint8Array(images.buffer, images.byteOffset, images.length);
  return new ArrayDataIter(bytes, labels, { batchSize, shuffle, seed, numClasses, inputShape, sampleShape, resizer });
}

interface IterConfig {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly numClasses: number;
  readonly inputShape: readonly number[];
  readonly sampleShape: readonly number[];
  readonly resizer: BilinearResize | undefined;
}

/** The buffers of one pass, and which of its batches currently owns them. */
interface Pass {
  readonly pixels: Uint8Array;
  readonly x: Float32Array | undefined;
  readonly y: Int32Array;
  /** The rows of the current batch (shuffled passes): its `source.index`. */
  readonly rows: Int32Array;
  /** Index (within the pass) of the batch whose data the buffers hold. */
  current: number;
}

/** What a batch holds: views of its pass's buffers (or, for data in file order, of the data set itself). */
interface BatchViews {
  /** The bytes, or how to gather them into the pass's buffer on first read (a shuffled batch with a source). */
  readonly pixels: Uint8Array | (() => Uint8Array) | undefined;
  readonly source: BatchSource | undefined;
  /** Float32 examples when the pass makes them on the host (resized images). */
  readonly x: Float32Array | undefined;
  readonly y: Int32Array;
}

/**
 * A batch of one pass, readable while it is the pass's current batch. Its fields are own, enumerable accessors, so
 * `{ ...batch, y }` copies them (reading `x` to do so) like the fields of a plain object.
 */
function passBatch(pass: Pass, index: number, size: number, sampleShape: readonly number[], views: BatchViews): Batch {
  const checkCurrent = () => {
    if (pass.current !== index) {
      throw new InvalidArgumentError(
        `Batch ${index} of this pass was read after batch ${pass.current} was drawn: a data iterator reuses its buffers, ` +
          'so a batch is valid until the next one is drawn. Copy the batches you keep (copyBatch from @xbackend/core).',
      );
    }
  };
  let x = views.x;
  let pixels = views.pixels;
  const gathered = (): Uint8Array | undefined => {
    if (typeof pixels === 'function') pixels = pixels();
    return pixels;
  };
  return {
    size,
    sampleShape,
    get pixels() {
      checkCurrent();
      return gathered();
    },
    get source() {
      checkCurrent();
      return views.source;
    },
    get x() {
      checkCurrent();
      x ??= pixelsToUnit(gathered() as Uint8Array);
      return x;
    },
    get y() {
      checkCurrent();
      return views.y;
    },
  };
}

class ArrayDataIter implements DataIter {
  readonly numExamples: number;
  readonly batchSize: number;
  readonly numBatches: number;
  readonly sampleShape: readonly number[];
  readonly numClasses: number;
  readonly shuffled: boolean;
  readonly seed: number;
  private readonly inputSize: number;
  private readonly outputSize: number;
  private nextEpoch = 0;
  /** The most recent epoch's order, since trainers ask for the same epoch more than once (resume, evaluation). */
  private lastOrder: { epoch: number; order: Uint32Array } | undefined;
  /** Views of the same data in other batch sizes (`withBatchSize`), kept so their orders are shared. */
  private readonly rebatched = new Map<number, ArrayDataIter>();

  constructor(
    private readonly images: Uint8Array,
    private readonly labels: Uint8Array | Int32Array,
    private readonly config: IterConfig,
  ) {
    this.numExamples = labels.length;
    this.batchSize = config.batchSize;
    this.numBatches = Math.ceil(this.numExamples / this.batchSize);
    this.sampleShape = Object.freeze([...config.sampleShape]);
    this.numClasses = config.numClasses;
    this.shuffled = config.shuffle;
    this.seed = config.seed;
    this.inputSize = config.inputShape.reduce((a, b) => a * b, 1);
    this.outputSize = config.sampleShape.reduce((a, b) => a * b, 1);
  }

  /** Each call starts the next epoch (0, 1, 2, ...), like iterating a shuffling DataLoader again. */
  [Symbol.iterator](): Iterator<Batch> {
    return this.epoch(this.nextEpoch++)[Symbol.iterator]();
  }

  epoch(e: number, from = 0): Iterable<Batch> {
    nonNegativeInteger(e, 'epoch');
    if (!Number.isSafeInteger(from) || from < 0 || from > this.numBatches) {
      throw new InvalidArgumentError(`from must be a batch index in 0..${this.numBatches}, got ${describe(from)}.`);
    }
    const order = this.config.shuffle ? this.order(e) : undefined;
    const iter = this;
    return {
      *[Symbol.iterator]() {
        if (from >= iter.numBatches) return;
        const pass = iter.newPass(Math.min(iter.batchSize, iter.numExamples - from * iter.batchSize));
        for (let b = from; b < iter.numBatches; b++) yield iter.batch(pass, order, b, b - from);
      },
    };
  }

  withBatchSize(batchSize: number): DataIter {
    positiveInteger(batchSize, 'batchSize');
    if (batchSize === this.batchSize) return this;
    let view = this.rebatched.get(batchSize);
    if (!view) {
      view = new ArrayDataIter(this.images, this.labels, { ...this.config, batchSize });
      this.rebatched.set(batchSize, view);
    }
    return view;
  }

  private order(epoch: number): Uint32Array {
    if (this.lastOrder?.epoch !== epoch) this.lastOrder = { epoch, order: epochOrder(this.numExamples, this.config.seed, epoch) };
    return this.lastOrder.order;
  }

  /** Buffers for a pass whose largest batch has `capacity` examples (pixels only where they must be gathered). */
  private newPass(capacity: number): Pass {
    const resized = this.config.resizer !== undefined;
    return {
      pixels: new Uint8Array(resized || !this.config.shuffle ? 0 : capacity * this.inputSize),
      x: resized ? new Float32Array(capacity * this.outputSize) : undefined,
      y: new Int32Array(capacity),
      rows: new Int32Array(resized || !this.config.shuffle ? 0 : capacity),
      current: -1,
    };
  }

  /**
   * Gathers batch `b` into the pass's buffers; `index` counts the batches of this pass. In file order the pixels are
   * already contiguous, so the batch views the data set itself and nothing is copied but the labels.
   */
  private batch(pass: Pass, order: Uint32Array | undefined, b: number, index: number): Batch {
    const start = b * this.batchSize;
    const size = Math.min(this.batchSize, this.numExamples - start);
    const { inputSize, outputSize, images, labels } = this;
    const resizer = this.config.resizer;
    pass.current = index;
    for (let k = 0; k < size; k++) pass.y[k] = labels[order ? (order[start + k] as number) : start + k] as number;
    const y = pass.y.subarray(0, size);
    if (resizer) {
      const x = pass.x as Float32Array;
      const channels = inputSize / (resizer.inRows * resizer.inCols);
      for (let k = 0; k < size; k++) {
        const example = order ? (order[start + k] as number) : start + k;
        resizer.apply(images, example * inputSize, channels, x, k * outputSize, BYTE_TO_UNIT);
      }
      return passBatch(pass, index, size, this.sampleShape, {
        pixels: undefined,
        source: undefined,
        x: x.subarray(0, size * outputSize),
        y,
      });
    }
    if (!order) {
      const pixels = images.subarray(start * inputSize, (start + size) * inputSize);
      return passBatch(pass, index, size, this.sampleShape, { pixels, source: undefined, x: undefined, y });
    }
    const rows = pass.rows.subarray(0, size);
    for (let k = 0; k < size; k++) rows[k] = order[start + k] as number;
    // Gathered when first read: a backend that gathers rows on its device (from `source`) never needs them.
    const gather = () => {
      for (let k = 0; k < size; k++) {
        const from = (rows[k] as number) * inputSize;
        pass.pixels.set(images.subarray(from, from + inputSize), k * inputSize);
      }
      return pass.pixels.subarray(0, size * inputSize);
    };
    return passBatch(pass, index, size, this.sampleShape, { pixels: gather, source: { bytes: images, index: rows }, x: undefined, y });
  }
}

function checkShape(shape: unknown): readonly number[] {
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new InvalidArgumentError(
      `sampleShape must be a non-empty array of positive integers, e.g. [1, 28, 28], got ${JSON.stringify(shape)}.`,
    );
  }
  return shape;
}
