import type { FloatArray } from '@xbackend/core';

/**
 * The from-scratch kernels of d2l §3.6 over row-major typed arrays. Accumulators are JS numbers (float64);
 * results are stored in the caller's array, so a Float32Array gives float32 storage precision.
 */

/**
 * `out[r, o] = bias[o] + Σ_j x[r, j] · w[o, j]` with `w` in PyTorch layout `[out, in]`. Four outputs per pass
 * over the input row, so each `x[r, j]` is loaded once for four multiply-adds.
 */
export function linearForward(
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray,
  rows: number,
  inF: number,
  outF: number,
  out: FloatArray,
): void {
  for (let r = 0; r < rows; r++) {
    const xOff = r * inF;
    let o = 0;
    for (; o + 4 <= outF; o += 4) {
      const w0 = o * inF;
      const w1 = w0 + inF;
      const w2 = w1 + inF;
      const w3 = w2 + inF;
      let a0 = bias[o] as number;
      let a1 = bias[o + 1] as number;
      let a2 = bias[o + 2] as number;
      let a3 = bias[o + 3] as number;
      for (let j = 0; j < inF; j++) {
        const xj = x[xOff + j] as number;
        a0 += xj * (w[w0 + j] as number);
        a1 += xj * (w[w1 + j] as number);
        a2 += xj * (w[w2 + j] as number);
        a3 += xj * (w[w3 + j] as number);
      }
      out[r * outF + o] = a0;
      out[r * outF + o + 1] = a1;
      out[r * outF + o + 2] = a2;
      out[r * outF + o + 3] = a3;
    }
    for (; o < outF; o++) {
      const wOff = o * inF;
      let acc = bias[o] as number;
      for (let j = 0; j < inF; j++) acc += (x[xOff + j] as number) * (w[wOff + j] as number);
      out[r * outF + o] = acc;
    }
  }
}

/**
 * `gw = gᵀ·x` (`[out, in]`) and `gb = Σ_r g[r, ·]`. Loops output rows outermost so one row of `gw` stays in
 * cache while every example adds into it, two rows at a time.
 */
export function linearParamGrads(
  x: FloatArray,
  g: FloatArray,
  rows: number,
  inF: number,
  outF: number,
  gw: FloatArray,
  gb: FloatArray,
): void {
  gw.fill(0, 0, outF * inF);
  let o = 0;
  for (; o + 2 <= outF; o += 2) {
    const w0 = o * inF;
    const w1 = w0 + inF;
    let b0 = 0;
    let b1 = 0;
    for (let r = 0; r < rows; r++) {
      const g0 = g[r * outF + o] as number;
      const g1 = g[r * outF + o + 1] as number;
      b0 += g0;
      b1 += g1;
      if (g0 === 0 && g1 === 0) continue; // ReLU zeroes whole stretches of the gradient
      const xOff = r * inF;
      for (let j = 0; j < inF; j++) {
        const xj = x[xOff + j] as number;
        gw[w0 + j] = (gw[w0 + j] as number) + g0 * xj;
        gw[w1 + j] = (gw[w1 + j] as number) + g1 * xj;
      }
    }
    gb[o] = b0;
    gb[o + 1] = b1;
  }
  for (; o < outF; o++) {
    const wOff = o * inF;
    let b = 0;
    for (let r = 0; r < rows; r++) {
      const go = g[r * outF + o] as number;
      b += go;
      if (go === 0) continue;
      const xOff = r * inF;
      for (let j = 0; j < inF; j++) gw[wOff + j] = (gw[wOff + j] as number) + go * (x[xOff + j] as number);
    }
    gb[o] = b;
  }
}

/** `gx = g·w` (`[rows, in]`): the gradient flowing into the layer's input. */
export function linearInputGrad(g: FloatArray, w: FloatArray, rows: number, inF: number, outF: number, gx: FloatArray): void {
  gx.fill(0, 0, rows * inF);
  for (let r = 0; r < rows; r++) {
    const xOff = r * inF;
    for (let o = 0; o < outF; o++) {
      const go = g[r * outF + o] as number;
      if (go === 0) continue;
      const wOff = o * inF;
      for (let j = 0; j < inF; j++) gx[xOff + j] = (gx[xOff + j] as number) + go * (w[wOff + j] as number);
    }
  }
}

export function reluForward(x: FloatArray, length: number, out: FloatArray): void {
  for (let i = 0; i < length; i++) {
    const v = x[i] as number;
    out[i] = Math.max(v, 0);
  }
}

/** Zeroes the gradient where the ReLU's output was not positive (in place). */
export function reluBackward(output: FloatArray, g: FloatArray, length: number): void {
  for (let i = 0; i < length; i++) if (!((output[i] as number) > 0)) g[i] = 0;
}

/**
 * `1 / (1 + e^−x)`, written so that no exponential can overflow: for x < 0 it is `e^x / (1 + e^x)`. Saturates to
 * exactly 0 or 1 for |x| beyond about 745 instead of producing NaN.
 */
export function sigmoidForward(x: FloatArray, length: number, out: FloatArray): void {
  for (let i = 0; i < length; i++) {
    const v = x[i] as number;
    if (v >= 0) {
      out[i] = 1 / (1 + Math.exp(-v));
    } else {
      const e = Math.exp(v);
      out[i] = e / (1 + e);
    }
  }
}

/** `gIn = gOut · s · (1 − s)` from the sigmoid's stored output `s` (as PyTorch's backward does). */
export function sigmoidBackward(output: FloatArray, gOut: FloatArray, length: number, gIn: FloatArray): void {
  for (let i = 0; i < length; i++) {
    const s = output[i] as number;
    gIn[i] = (gOut[i] as number) * (1 - s) * s;
  }
}

/**
 * Softmax cross-entropy from logits, stable (row max subtracted, log-sum-exp). Writes per-example losses and,
 * when `grad` is given, `∂mean/∂logits = (softmax − onehot) / rows`. Returns the loss sum and correct count.
 */
export function softmaxCrossEntropy(
  logits: FloatArray,
  labels: Int32Array,
  rows: number,
  classes: number,
  losses: FloatArray | undefined,
  grad: FloatArray | undefined,
): { lossSum: number; correct: number } {
  let lossSum = 0;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const off = r * classes;
    const label = labels[r] as number;
    let max = Number.NEGATIVE_INFINITY;
    let best = 0;
    for (let c = 0; c < classes; c++) {
      const v = logits[off + c] as number;
      if (v > max) {
        max = v;
        best = c;
      }
    }
    let sumExp = 0;
    for (let c = 0; c < classes; c++) sumExp += Math.exp((logits[off + c] as number) - max);
    const shiftedLse = Math.log(sumExp);
    // (z_label − max) first: at |z| ≈ 3e38, max + log Σ would round away the log term.
    const loss = shiftedLse - ((logits[off + label] as number) - max);
    lossSum += loss;
    if (losses) losses[r] = loss;
    if (best === label) correct++;
    if (grad) {
      for (let c = 0; c < classes; c++) {
        const p = Math.exp((logits[off + c] as number) - max - shiftedLse);
        grad[off + c] = (p - (c === label ? 1 : 0)) / rows;
      }
    }
  }
  return { lossSum, correct };
}

/** `w ← w − lr·(g + weightDecay·w)`. */
export function sgdUpdate(w: FloatArray, g: FloatArray, lr: number, weightDecay: number): void {
  for (let i = 0; i < w.length; i++) {
    const wi = w[i] as number;
    w[i] = wi - lr * ((g[i] as number) + weightDecay * wi);
  }
}
