import { describe, expect, it } from 'vitest';
import { argmaxRows, countCorrect, crossEntropy, logSoftmax, softmax, sum } from './numerics.js';

describe('stable numerics', () => {
  it('matches the textbook formula on ordinary logits', () => {
    const logits = [1, 2, 3, 0.5, -1, 0];
    const p = softmax(logits, 2, 3);
    const naive = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const z = naive.reduce((a, b) => a + b);
    expect(p[0]).toBeCloseTo((naive[0] as number) / z, 15);
    expect(sum(p.subarray(3))).toBeCloseTo(1, 15);
    expect(crossEntropy(logits, [2, 0], 3)[0]).toBeCloseTo(-Math.log((naive[2] as number) / z), 14);
  });

  it.each([
    ['±1e4', [1e4, -1e4, 0], 1, 2e4],
    ['±3e38', [3e38, -3e38, 0], 1, 6e38],
    ['huge equal values', [3e38, 3e38, 3e38], 0, Math.log(3)],
    ['all equal', [5, 5, 5], 2, Math.log(3)],
  ])('stays finite and exact for extreme logits (%s)', (_, logits, label, expected) => {
    const loss = crossEntropy(logits, [label], 3)[0] as number;
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeCloseTo(expected, 10);
    const ls = logSoftmax(logits, 1, 3);
    for (const v of ls) expect(Number.isNaN(v)).toBe(false);
    const p = softmax(logits, 1, 3);
    expect(sum(p)).toBeCloseTo(1, 14);
  });

  it('takes the first maximum on ties, like torch.argmax', () => {
    expect([...argmaxRows([1, 3, 3, 0, 0, 0], 2, 3)]).toEqual([1, 0]);
    expect(countCorrect([1, 3, 3, 0, 0, 0], [1, 2], 3)).toBe(1);
  });
});
