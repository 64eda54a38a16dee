import { type Batch, type DataIter, InvalidArgumentError, Rng } from '@xbackend/core';
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

/** `value / 255` for every byte, in float32 — what torchvision's `ToTensor` gives. */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * A d2l DataLoader over in-memory bytes: batches of `batchSize` (the last one may be smaller), pixels as float32
 * in [0, 1]. Each epoch's order depends only on (seed, epoch), so any epoch can be replayed or resumed.
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
  return new ArrayDataIter(images, labels, { batchSize, shuffle, seed, numClasses, inputShape, sampleShape, resizer });
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
        for (let b = from; b < iter.numBatches; b++) yield iter.batch(order, b);
      },
    };
  }

  private order(epoch: number): Uint32Array {
    if (this.lastOrder?.epoch !== epoch) {
      const order = Uint32Array.from({ length: this.numExamples }, (_, i) => i);
      Rng.seeded(this.config.seed, 'shuffle', epoch).shuffle(order);
      this.lastOrder = { epoch, order };
    }
    return this.lastOrder.order;
  }

  private batch(order: Uint32Array | undefined, b: number): Batch {
    const start = b * this.batchSize;
    const size = Math.min(this.batchSize, this.numExamples - start);
    const { inputSize, outputSize, images } = this;
    const x = new Float32Array(size * outputSize);
    const y = new Int32Array(size);
    const resizer = this.config.resizer;
    const channels = resizer ? inputSize / (resizer.inRows * resizer.inCols) : 0;
    for (let k = 0; k < size; k++) {
      const index = order ? (order[start + k] as number) : start + k;
      y[k] = this.labels[index] as number;
      if (resizer) {
        resizer.apply(images, index * inputSize, channels, x, k * outputSize, BYTE_TO_UNIT);
      } else {
        const from = index * inputSize;
        const to = k * outputSize;
        for (let j = 0; j < inputSize; j++) x[to + j] = BYTE_TO_UNIT[images[from + j] as number] as number;
      }
    }
    return { x, y, size, sampleShape: this.sampleShape };
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
