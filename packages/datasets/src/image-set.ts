import { InvalidArgumentError } from '@xbackend/core';

/** Raw images and labels of one split, as stored in the IDX files. */
export interface ImageSet {
  /** `count × rows × cols` pixel bytes, row-major, 0 (background) .. 255. */
  readonly images: Uint8Array;
  /** One class index per image. */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
}

/** Throws when the arrays and the declared sizes of `set` disagree. */
export function checkImageSet(set: ImageSet, name: string): void {
  const { images, labels, count, rows, cols } = set;
  if (!(images instanceof Uint8Array) || !(labels instanceof Uint8Array)) {
    throw new InvalidArgumentError(`${name}.images and ${name}.labels must be Uint8Arrays.`);
  }
  for (const [key, value] of Object.entries({ count, rows, cols })) {
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new InvalidArgumentError(`${name}.${key} must be a positive integer, got ${value}.`);
  }
  if (labels.length !== count) throw new InvalidArgumentError(`${name} has ${labels.length} labels for ${count} images.`);
  if (images.length !== count * rows * cols) {
    throw new InvalidArgumentError(
      `${name}.images has ${images.length} bytes, expected ${count}×${rows}×${cols} = ${count * rows * cols}.`,
    );
  }
}

/** Copies the examples at `indices`, in that order, into a new set. */
export function subset(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const pixels = set.rows * set.cols;
  const images = new Uint8Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    images.set(set.images.subarray(i * pixels, (i + 1) * pixels), k * pixels);
    labels[k] = set.labels[i] as number;
  }
  return { images, labels, count: indices.length, rows: set.rows, cols: set.cols };
}
