import { InvalidArgumentError, Rng } from '@xbackend/core';
import { checkKnownKeys, describe, integer, positiveInteger } from './check.js';
import { checkImageSet, type ImageSet, subset } from './image-set.js';

export interface SplitOptions {
  /** Number of validation examples; give this or `validationFraction`. */
  readonly validationSize?: number;
  /** Share of the examples used for validation, in (0, 1) (default 0.1). */
  readonly validationFraction?: number;
  readonly seed?: number;
}

export interface TrainValidationSplit {
  readonly train: ImageSet;
  readonly validation: ImageSet;
}

/**
 * Carves a validation set out of a training set: the examples are drawn by a seeded permutation
 * (`Rng.seeded(seed, 'validation-split')`), and each part keeps the original order of its examples, so the same
 * seed always gives the same two sets and the training iterator's shuffle stays the only source of order.
 */
export function splitTrainValidation(set: ImageSet, options: SplitOptions = {}): TrainValidationSplit {
  checkKnownKeys(options, ['validationSize', 'validationFraction', 'seed']);
  checkImageSet(set, 'set');
  const seed = integer(options.seed ?? 0, 'seed');
  const validationSize = sizeOf(options, set.count);
  const order = Uint32Array.from({ length: set.count }, (_, i) => i);
  Rng.seeded(seed, 'validation-split').shuffle(order);
  const validation = order.slice(0, validationSize).sort();
  const train = order.slice(validationSize).sort();
  return { train: subset(set, train), validation: subset(set, validation) };
}

function sizeOf(options: SplitOptions, count: number): number {
  if (options.validationSize !== undefined && options.validationFraction !== undefined) {
    throw new InvalidArgumentError('Give validationSize or validationFraction, not both.');
  }
  let size: number;
  if (options.validationSize !== undefined) {
    size = positiveInteger(options.validationSize, 'validationSize');
  } else {
    const fraction = options.validationFraction ?? 0.1;
    if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
      throw new InvalidArgumentError(`validationFraction must be a number strictly between 0 and 1, got ${describe(fraction)}.`);
    }
    size = Math.round(fraction * count);
  }
  if (size < 1 || size >= count) {
    throw new InvalidArgumentError(
      `The validation set must have 1..${count - 1} of the ${count} examples (so that both parts are non-empty), got ${size}.`,
    );
  }
  return size;
}
