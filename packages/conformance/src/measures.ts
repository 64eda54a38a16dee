/**
 * Closeness measures. Each returns one non-negative error (0 = identical); a length mismatch or a non-finite value
 * where the expected one is finite is an infinite error, so a comparison against a tolerance always fails on it.
 */
import type { ParameterTensor } from '@xbackend/core';

export function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i] as number));
  return max;
}

/** Largest `|actual − expected|`; equal infinities count as equal. */
export function maxAbsError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (a === e) continue;
    const error = Math.abs(a - e);
    worst = Number.isNaN(error) ? Number.POSITIVE_INFINITY : Math.max(worst, error);
  }
  return worst;
}

/**
 * Largest `|actual − expected|` relative to the scale of what is compared: `scale` when given (e.g. the size of an
 * update), else the largest `|expected|`. A zero scale makes any difference infinite.
 */
export function scaledError(actual: ArrayLike<number>, expected: ArrayLike<number>, scale = maxAbs(expected)): number {
  const error = maxAbsError(actual, expected);
  if (error === 0) return 0;
  return scale > 0 ? error / scale : Number.POSITIVE_INFINITY;
}

/**
 * Largest elementwise relative error `|a − e| / max(|e|, floor)`: for values of very different sizes, such as the
 * losses of extreme logits; `floor` is the scale below which errors count as absolute.
 */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 0): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, relativeError(actual[i] as number, expected[i] as number, floor));
  return worst;
}

/** `|a − e| / max(|e|, floor)` of two scalars: 0 when equal, infinite when the scale is 0 or a value is not finite. */
export function relativeError(actual: number, expected: number, floor = 0): number {
  if (actual === expected) return 0;
  const error = Math.abs(actual - expected) / Math.max(Math.abs(expected), floor);
  return Number.isNaN(error) ? Number.POSITIVE_INFINITY : error;
}

/** Every parameter tensor, concatenated in order, as float64. */
export function flatParameters(params: readonly ParameterTensor[]): Float64Array {
  const out = new Float64Array(params.reduce((n, p) => n + p.data.length, 0));
  let offset = 0;
  for (const p of params) {
    out.set(p.data, offset);
    offset += p.data.length;
  }
  return out;
}

/**
 * How far `actual` parameters are from `expected` ones, relative to how far `expected` moved from `start`: the
 * error of an update (or of a trajectory) measured against the update itself, not against the weights' size.
 * Names and shapes must match (else infinite).
 */
export function updateError(
  actual: readonly ParameterTensor[],
  expected: readonly ParameterTensor[],
  start: readonly ParameterTensor[],
): number {
  const same = (a: readonly ParameterTensor[], b: readonly ParameterTensor[]) =>
    a.length === b.length && a.every((p, i) => p.name === b[i]?.name && p.shape.join() === b[i]?.shape.join());
  if (!same(actual, expected) || !same(expected, start)) return Number.POSITIVE_INFINITY;
  const want = flatParameters(expected);
  const moved = flatParameters(start).map((w, i) => (want[i] as number) - w);
  return scaledError(flatParameters(actual), want, maxAbs(moved));
}
