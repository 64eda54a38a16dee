/** The sigmoid kernels against their definition, including inputs where a naive `1 / (1 + e^−x)` overflows. */
import { describe, expect, it } from 'vitest';
import { sigmoidBackward, sigmoidForward } from './dense-math.js';

function sigmoid(values: number[]): Float64Array {
  const out = new Float64Array(values.length);
  sigmoidForward(Float64Array.from(values), values.length, out);
  return out;
}

describe('sigmoid', () => {
  it('saturates to exactly 0 and 1 at ±1000 instead of overflowing, and is symmetric: σ(−x) = 1 − σ(x)', () => {
    expect(Array.from(sigmoid([1000, -1000, 0, 800, -800]))).toEqual([1, 0, 0.5, 1, 0]);
    // e^−745 is the last exponential above 0; σ(−745) is that value, not 0 or NaN.
    expect(sigmoid([-745])[0]).toBe(Math.exp(-745));
    const xs = [0.25, 1, 3, 17.5];
    const [up, down] = [sigmoid(xs), sigmoid(xs.map((x) => -x))];
    xs.forEach((x, i) => {
      expect(up[i]).toBeCloseTo(1 / (1 + Math.exp(-x)), 15);
      expect(down[i] as number).toBeCloseTo(1 - (up[i] as number), 15);
    });
  });

  it('passes gOut · σ(x)(1 − σ(x)) back, equal to central finite differences of σ, and exactly 0 when saturated', () => {
    const xs = [-1000, -40, -3, -0.5, 0, 0.7, 2, 40, 1000];
    const s = sigmoid(xs);
    const gOut = Float64Array.from(xs, (_, i) => 1 + i / 4);
    const gIn = new Float64Array(xs.length).fill(Number.NaN);
    sigmoidBackward(s, gOut, xs.length, gIn);
    const h = 1e-6;
    const numeric = xs.map((x, i) => ((gOut[i] as number) * ((sigmoid([x + h])[0] as number) - (sigmoid([x - h])[0] as number))) / (2 * h));
    // Measured worst error 6.7e-11 (rounding, ε/h, of σ's differences times gOut ≤ 3), tolerance 4.5× that; a wrong
    // factor (s instead of s(1 − s), say) is off by 1e-2 or more.
    const worst = Math.max(...numeric.map((n, i) => Math.abs((gIn[i] as number) - n)));
    expect(worst).toBeLessThanOrEqual(3e-10);
    expect([gIn[0], gIn[8]]).toEqual([0, 0]);
  });
});
