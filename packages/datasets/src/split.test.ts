import { describe, expect, it } from 'vitest';
import { splitTrainValidation } from './split.js';
import { makeImageSet } from './test-fixtures.js';

const set = makeImageSet(50, 2, 3);
const pixels = 6;

/** Index in `set` of each example of `part`, found by its pixels. */
function origins(part: typeof set): number[] {
  const key = (images: Uint8Array, i: number) => images.subarray(i * pixels, (i + 1) * pixels).join(',');
  const index = new Map(Array.from({ length: set.count }, (_, i) => [key(set.images, i), i]));
  return Array.from({ length: part.count }, (_, i) => index.get(key(part.images, i)) ?? -1);
}

describe('splitTrainValidation', () => {
  it('partitions the examples: disjoint, complete, each part in original order, labels kept', () => {
    const { train, validation } = splitTrainValidation(set, { validationSize: 12, seed: 7 });
    expect([train.count, validation.count]).toEqual([38, 12]);
    const t = origins(train);
    const v = origins(validation);
    expect([...t, ...v].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(t).toEqual([...t].sort((a, b) => a - b));
    expect(v).toEqual([...v].sort((a, b) => a - b));
    for (const [i, origin] of v.entries()) expect(validation.labels[i]).toBe(set.labels[origin]);
    expect([train.rows, train.cols, validation.rows, validation.cols]).toEqual([2, 3, 2, 3]);
  });

  it('is reproducible per seed and differs between seeds', () => {
    const a = origins(splitTrainValidation(set, { validationSize: 10, seed: 1 }).validation);
    expect(origins(splitTrainValidation(set, { validationSize: 10, seed: 1 }).validation)).toEqual(a);
    expect(origins(splitTrainValidation(set, { validationSize: 10, seed: 2 }).validation)).not.toEqual(a);
  });

  it('takes a fraction (default 0.1)', () => {
    expect(splitTrainValidation(set).validation.count).toBe(5);
    expect(splitTrainValidation(set, { validationFraction: 0.3 }).validation.count).toBe(15);
  });

  it('rejects sizes that would leave a part empty, and ambiguous options', () => {
    expect(() => splitTrainValidation(set, { validationSize: 50 })).toThrow(/must have 1..49 of the 50 examples/);
    expect(() => splitTrainValidation(set, { validationFraction: 1 })).toThrow(/strictly between 0 and 1, got 1/);
    expect(() => splitTrainValidation(set, { validationSize: 5, validationFraction: 0.1 })).toThrow(/not both/);
    expect(() => splitTrainValidation({ ...set, count: 49 })).toThrow(/set has 50 labels for 49 images/);
  });
});
