import { expect, it } from 'vitest';
import { Accumulator } from './accumulator.js';

it('sums running totals per slot and resets', () => {
  const acc = new Accumulator(3);
  acc.add(1.5, 2, 256);
  acc.add(0.5, 1, 96);
  expect([acc.get(0), acc.get(1), acc.get(2)]).toEqual([2, 3, 352]);
  acc.reset();
  expect(acc.get(2)).toBe(0);
  expect(() => acc.get(3)).toThrow('Accumulator has 3 slots, not 4.');
});
