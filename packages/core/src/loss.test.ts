import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss } from './loss.js';

describe('CrossEntropyLoss', () => {
  const perExample = Float64Array.from([1, 2, 3, 4]);

  it('applies its reduction', () => {
    expect(CrossEntropyLoss({ reduction: 'none' }).reduce(perExample)).toBe(perExample);
    expect(CrossEntropyLoss({ reduction: 'mean' }).reduce(perExample)).toBe(2.5);
    expect(CrossEntropyLoss({ reduction: 'sum' }).reduce(perExample)).toBe(10);
    expect(CrossEntropyLoss().reduction).toBe('mean');
  });

  it('maps its reduction onto the mean-gradient step backends implement', () => {
    const sgd = { lr: 0.1, weightDecay: 0.01 };
    expect(CrossEntropyLoss({ reduction: 'none' }).stepFor(256, sgd)).toEqual(sgd);
    expect(CrossEntropyLoss({ reduction: 'mean' }).stepFor(256, sgd)).toEqual(sgd);
    // sum: n·(mean grad) + wd·w == (lr·n)·(mean grad + (wd/n)·w) / lr
    expect(CrossEntropyLoss({ reduction: 'sum' }).stepFor(4, sgd)).toEqual({ lr: 0.4, weightDecay: 0.0025 });
  });

  it('rejects an unknown reduction', () => {
    // @ts-expect-error: testing a bad value from JavaScript callers
    expect(() => CrossEntropyLoss({ reduction: 'avg' })).toThrow("reduction must be 'none', 'mean' or 'sum', got 'avg'");
  });
});
