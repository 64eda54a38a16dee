/**
 * Float64 reference numerics for tests and host-side checks, as d2l §3.7 asks: softmax subtracts the row max and
 * cross-entropy is computed from logits with the log-sum-exp trick, so no finite logit gives NaN or Inf.
 * Logits are row-major `[rows, cols]`.
 */
import type { FloatArray } from './tensor.js';

function rowMax(logits: ArrayLike<number>, offset: number, cols: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < cols; j++) max = Math.max(max, logits[offset + j] as number);
  return max;
}

/** `log Σ exp(z − max)`: the log-sum-exp of a row minus its max, which keeps small differences at huge magnitudes. */
function shiftedLogSumExp(logits: ArrayLike<number>, offset: number, cols: number, max: number): number {
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += Math.exp((logits[offset + j] as number) - max);
  return Math.log(sum);
}

export function logSoftmax(logits: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const max = rowMax(logits, i * cols, cols);
    const lse = shiftedLogSumExp(logits, i * cols, cols, max);
    for (let j = 0; j < cols; j++) out[i * cols + j] = (logits[i * cols + j] as number) - max - lse;
  }
  return out;
}

export function softmax(logits: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = logSoftmax(logits, rows, cols);
  for (let k = 0; k < out.length; k++) out[k] = Math.exp(out[k] as number);
  return out;
}

/** Per-example `-log softmax(logits)[label]`, as `log Σ exp(z − max) − (z_label − max)`. */
export function crossEntropy(logits: ArrayLike<number>, labels: ArrayLike<number>, cols: number): Float64Array {
  const rows = labels.length;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const max = rowMax(logits, i * cols, cols);
    out[i] = shiftedLogSumExp(logits, i * cols, cols, max) - ((logits[i * cols + (labels[i] as number)] as number) - max);
  }
  return out;
}

/** Index of the largest value of each row; the first one wins ties (as torch.argmax). */
export function argmaxRows(values: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let j = 1; j < cols; j++) if ((values[i * cols + j] as number) > (values[i * cols + best] as number)) best = j;
    out[i] = best;
  }
  return out;
}

export function countCorrect(logits: ArrayLike<number>, labels: ArrayLike<number>, cols: number): number {
  const predicted = argmaxRows(logits, labels.length, cols);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct;
}

export function sum(values: FloatArray | readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
