/**
 * The window kernels checked against their definitions: small cases worked out by hand, PyTorch's tie rule for max
 * pooling, and every gradient (weights, bias, input) against float64 central finite differences.
 */
import { type Conv2dSpec, layerShapes, type Pool2dSpec, Rng, sizeOf } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import {
  avgPool2dBackward,
  avgPool2dForward,
  conv2dForward,
  conv2dInputGrad,
  conv2dParamGrads,
  maxPool2dBackward,
  maxPool2dForward,
  type WindowGeometry,
  windowGeometry,
} from './window-math.js';

function geometryOf(layer: Conv2dSpec | Pool2dSpec, input: number[]): WindowGeometry {
  return windowGeometry(layer, input, layerShapes([layer], input)[0] as number[]);
}

function normals(length: number, rng: Rng): Float64Array {
  return Float64Array.from({ length }, () => rng.normal());
}

/** Σ_k c_k · out_k: a scalar whose gradient with respect to `out` is `c`, the upstream gradient handed to a backward. */
function weightedSum(out: Float64Array, c: Float64Array): number {
  let s = 0;
  for (let k = 0; k < c.length; k++) s += (c[k] as number) * (out[k] as number);
  return s;
}

/** Central differences of `f` with respect to each entry of `values` (shifted in place and restored). */
function numericGradient(values: Float64Array, f: () => number, h: number): Float64Array {
  return values.map((v, i) => {
    values[i] = v + h;
    const up = f();
    values[i] = v - h;
    const down = f();
    values[i] = v;
    return (up - down) / (2 * h);
  });
}

/** Largest |analytic − numeric| / max(1, |numeric|). */
function worstError(analytic: Float64Array, numeric: Float64Array): number {
  return Math.max(...Array.from(numeric, (n, i) => Math.abs((analytic[i] as number) - n) / Math.max(1, Math.abs(n))));
}

/**
 * A convolution is linear in each of x, w and b, so a central difference is exact for any step but for rounding,
 * about ε·|f|/h: with h = 1e-3 the worst error measured below is 2.1e-11, and the tolerance is 5× that.
 */
const LINEAR_TOLERANCE = 1e-10;
/**
 * Pooling is linear only between ties (max), so its step is small, h = 1e-6, far below the gaps between the random
 * values of a window: the worst measured error is 1.1e-9, and the tolerance is 5× that. A wrong index, a missed window
 * or a wrong divisor is off by 0.1 or more.
 */
const POOLING_TOLERANCE = 5e-9;

describe('conv2d', () => {
  it('computes a padded, strided cross-correlation as worked out by hand (the last padded row and column are dropped)', () => {
    // x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], w = [[1, 2], [3, 4]], bias 0.5, stride 2, padding 1: output 2×2 over the
    // zero-padded 5×5 input, windows at rows/cols {0, 1} and {2, 3}:
    //   (0, 0): [[0, 0], [0, 1]] → 4·1 = 4          (0, 1): [[0, 0], [2, 3]] → 3·2 + 4·3 = 18
    //   (1, 0): [[0, 4], [0, 7]] → 2·4 + 4·7 = 36   (1, 1): [[5, 6], [8, 9]] → 5 + 12 + 24 + 36 = 77
    const layer: Conv2dSpec = { kind: 'conv2d', inChannels: 1, outChannels: 1, kernelSize: [2, 2], stride: [2, 2], padding: [1, 1] };
    const out = new Float64Array(4);
    const x = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    conv2dForward(x, Float64Array.from([1, 2, 3, 4]), Float64Array.from([0.5]), 1, geometryOf(layer, [1, 3, 3]), out);
    expect(Array.from(out)).toEqual([4.5, 18.5, 36.5, 77.5]);
  });

  it('reads a rectangular kernel as [height, width] and sums over input channels, per output channel', () => {
    // Kernel 1×2 (one row, two columns): output 3×2. Out channel 0 has w = [1, −1] on channel 0 and [0, 0] on
    // channel 1, so it is x[i][j] − x[i][j + 1] = −1 everywhere; out channel 1 has [0, 0] and [2, 0] (2·channel 1,
    // which is 10·channel 0) plus bias 1, so it is 20·x[i][j] + 1. A 2×1 kernel would give a 2×3 output instead.
    const layer: Conv2dSpec = { kind: 'conv2d', inChannels: 2, outChannels: 2, kernelSize: [1, 2], stride: [1, 1], padding: [0, 0] };
    const channel0 = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const x = Float64Array.from([...channel0, ...channel0.map((v) => 10 * v)]);
    const w = Float64Array.from([1, -1, 0, 0, 0, 0, 2, 0]);
    const out = new Float64Array(12);
    conv2dForward(x, w, Float64Array.from([0, 1]), 1, geometryOf(layer, [2, 3, 3]), out);
    expect(Array.from(out)).toEqual([-1, -1, -1, -1, -1, -1, 21, 41, 81, 101, 141, 161]);
  });

  it.each([
    // Output channels go four at a time: 3, 6 and 9 make a partial block, one full block and one partial, two full ones and one.
    { kernelSize: [3, 2], stride: [2, 2], padding: [1, 1], input: [2, 7, 6], outChannels: 6 },
    { kernelSize: [2, 3], stride: [1, 2], padding: [0, 1], input: [2, 5, 8], outChannels: 3 },
    { kernelSize: [5, 5], stride: [1, 1], padding: [2, 2], input: [1, 6, 6], outChannels: 9 },
  ] as const)(
    'weight, bias and input gradients equal finite differences (kernel $kernelSize, stride $stride, padding $padding, input $input, $outChannels outputs)',
    ({ kernelSize, stride, padding, input, outChannels }) => {
      const layer: Conv2dSpec = { kind: 'conv2d', inChannels: input[0], outChannels, kernelSize, stride, padding };
      const geometry = geometryOf(layer, [...input]);
      const rows = 2;
      const rng = Rng.seeded(5);
      const x = normals(rows * sizeOf(input), rng);
      const w = normals(outChannels * input[0] * kernelSize[0] * kernelSize[1], rng);
      const b = normals(outChannels, rng);
      const out = new Float64Array(rows * outChannels * geometry.outHeight * geometry.outWidth);
      const c = normals(out.length, rng);
      const f = () => {
        conv2dForward(x, w, b, rows, geometry, out);
        return weightedSum(out, c);
      };
      const [gw, gb, gx] = [new Float64Array(w.length), new Float64Array(b.length), new Float64Array(x.length)];
      conv2dParamGrads(x, c, rows, geometry, gw, gb);
      conv2dInputGrad(c, w, rows, geometry, gx);
      expect(worstError(gw, numericGradient(w, f, 1e-3))).toBeLessThanOrEqual(LINEAR_TOLERANCE);
      expect(worstError(gb, numericGradient(b, f, 1e-3))).toBeLessThanOrEqual(LINEAR_TOLERANCE);
      expect(worstError(gx, numericGradient(x, f, 1e-3))).toBeLessThanOrEqual(LINEAR_TOLERANCE);
    },
  );
});

describe('avgpool2d and maxpool2d', () => {
  // x is 3 rows × 4 columns: [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]].
  const x = Float64Array.from({ length: 12 }, (_, i) => i + 1);
  const pool = (kind: Pool2dSpec['kind'], kernelSize: [number, number], stride: [number, number]) => {
    const geometry = geometryOf({ kind, kernelSize, stride }, [1, 3, 4]);
    const out = new Float64Array(geometry.outHeight * geometry.outWidth);
    (kind === 'avgpool2d' ? avgPool2dForward : maxPool2dForward)(x, 1, geometry, out);
    return Array.from(out);
  };

  it('pools windows as worked out by hand, dropping rows and columns that do not fill a window', () => {
    // Kernel 2, stride 2: windows rows 0–1 × cols 0–1 and 0–1 × 2–3; row 2 is dropped.
    // Averages (1 + 2 + 5 + 6) / 4 = 3.5 and (3 + 4 + 7 + 8) / 4 = 5.5; maxima 6 and 8.
    expect(pool('avgpool2d', [2, 2], [2, 2])).toEqual([3.5, 5.5]);
    expect(pool('maxpool2d', [2, 2], [2, 2])).toEqual([6, 8]);
    // Kernel 3×2 (3 rows, 2 columns), stride 1×2: windows rows 0–2 × cols 0–1 and 0–2 × 2–3.
    // Averages (1 + 2 + 5 + 6 + 9 + 10) / 6 = 5.5 and (3 + 4 + 7 + 8 + 11 + 12) / 6 = 7.5; maxima 10 and 12.
    expect(pool('avgpool2d', [3, 2], [1, 2])).toEqual([5.5, 7.5]);
    expect(pool('maxpool2d', [3, 2], [1, 2])).toEqual([10, 12]);
  });

  it("max pooling passes the gradient to the window's first largest value in row-major order, and overlaps add", () => {
    // One 2×3 plane [[2, 7, 7], [7, 1, 7]], kernel 2, stride 1: windows cols 0–1 and 1–2, both with maximum 7.
    // Window 0's first 7 is at (0, 1), and so is window 1's: both gradients (10 and 100) land there.
    const geometry = geometryOf({ kind: 'maxpool2d', kernelSize: [2, 2], stride: [1, 1] }, [1, 2, 3]);
    const plane = Float64Array.from([2, 7, 7, 7, 1, 7]);
    const gx = new Float64Array(6);
    maxPool2dBackward(plane, Float64Array.from([10, 100]), 1, geometry, gx);
    expect(Array.from(gx)).toEqual([0, 110, 0, 0, 0, 0]);
    // All equal: the first of the window wins.
    const flat = new Float64Array(6).fill(3);
    maxPool2dBackward(flat, Float64Array.from([10, 100]), 1, geometry, gx);
    expect(Array.from(gx)).toEqual([10, 100, 0, 0, 0, 0]);
  });

  it.each([
    { kind: 'avgpool2d', kernelSize: [2, 2], stride: [2, 2] },
    { kind: 'avgpool2d', kernelSize: [3, 3], stride: [2, 2] },
    { kind: 'maxpool2d', kernelSize: [2, 2], stride: [2, 2] },
    { kind: 'maxpool2d', kernelSize: [3, 3], stride: [2, 2] },
    { kind: 'maxpool2d', kernelSize: [3, 2], stride: [1, 2] },
  ] as const)(
    '$kind input gradients on odd sizes equal finite differences (kernel $kernelSize, stride $stride, input [2, 7, 7])',
    ({ kind, kernelSize, stride }) => {
      const geometry = geometryOf({ kind, kernelSize, stride }, [2, 7, 7]);
      const rows = 2;
      const rng = Rng.seeded(6);
      // Distinct values (no ties), so the max is differentiable at x.
      const x = normals(rows * 2 * 7 * 7, rng);
      const out = new Float64Array(rows * 2 * geometry.outHeight * geometry.outWidth);
      const c = normals(out.length, rng);
      const forward = kind === 'avgpool2d' ? avgPool2dForward : maxPool2dForward;
      const f = () => {
        forward(x, rows, geometry, out);
        return weightedSum(out, c);
      };
      const gx = new Float64Array(x.length).fill(Number.NaN); // every entry must be written, the dropped ones with 0
      if (kind === 'avgpool2d') avgPool2dBackward(c, rows, geometry, gx);
      else maxPool2dBackward(x, c, rows, geometry, gx);
      expect(worstError(gx, numericGradient(x, f, 1e-6))).toBeLessThanOrEqual(POOLING_TOLERANCE);
    },
  );
});
