import { describe, expect, it } from 'vitest';
import { median, percentile, summarize } from './stats.js';

describe('stats', () => {
  it('interpolates percentiles between closest ranks, as numpy does', () => {
    // numpy.percentile([1, 2, 3, 4], 95) == 3.85; [10, 20, 30] -> p50 20, p25 15.
    expect(percentile([4, 1, 3, 2], 95)).toBeCloseTo(3.85, 12);
    expect(percentile([30, 10, 20], 25)).toBe(15);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2, 3, 4], 0)).toBe(1);
    expect(percentile([1, 2, 3, 4], 100)).toBe(4);
  });

  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('summarises without reordering its input', () => {
    const values = [3, 1, 2, 10];
    expect(summarize(values)).toEqual({ count: 4, min: 1, p50: 2.5, p95: percentile(values, 95), max: 10, mean: 4 });
    expect(values).toEqual([3, 1, 2, 10]);
  });

  it('refuses empty or non-finite samples and out-of-range percentiles', () => {
    expect(() => median([])).toThrow(/no values/);
    expect(() => summarize([1, Number.NaN])).toThrow(/non-finite/);
    expect(() => percentile([1], 101)).toThrow(/\[0, 100\]/);
  });
});
