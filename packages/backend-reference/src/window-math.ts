import type { Conv2dSpec, FloatArray, Pool2dSpec } from '@xbackend/core';

/**
 * The sliding-window kernels of d2l §7.2–7.5 (PyTorch's Conv2d, AvgPool2d, MaxPool2d) over NCHW row-major typed arrays.
 * As in dense-math.ts, sums are JS numbers (float64), written to the caller's array once per value: kernels that add
 * several terms into one value gather them in a float64 plane first, so a Float32Array output is rounded once.
 */

/**
 * Where a window layer reads and writes, for one example; built once per layer. For each kernel offset `k` along an
 * axis, output positions `[lo[k], hi[k])` read input `o·stride − padding + k` inside the input (the rest read the
 * zero padding and contribute nothing), so the inner loops never test bounds.
 */
export interface WindowGeometry {
  readonly inChannels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly padHeight: number;
  readonly padWidth: number;
  readonly rowLo: Int32Array;
  readonly rowHi: Int32Array;
  readonly colLo: Int32Array;
  readonly colHi: Int32Array;
}

/** Output positions `o` in `[0, outSize)` with `0 ≤ o·stride − padding + k < inSize`, for every kernel offset `k`. */
function validOutputs(kernel: number, stride: number, padding: number, inSize: number, outSize: number) {
  const lo = new Int32Array(kernel);
  const hi = new Int32Array(kernel);
  for (let k = 0; k < kernel; k++) {
    lo[k] = Math.min(outSize, Math.max(0, Math.ceil((padding - k) / stride)));
    hi[k] = Math.max(lo[k] as number, Math.min(outSize, Math.floor((inSize - 1 + padding - k) / stride) + 1));
  }
  return { lo, hi };
}

/** `input` and `output` are the layer's shapes per example, `[channels, height, width]`, from core's `layerShapes`. */
export function windowGeometry(layer: Conv2dSpec | Pool2dSpec, input: readonly number[], output: readonly number[]): WindowGeometry {
  const [inChannels, inHeight, inWidth] = input as [number, number, number];
  const [outChannels, outHeight, outWidth] = output as [number, number, number];
  const [kernelHeight, kernelWidth] = layer.kernelSize;
  const [strideHeight, strideWidth] = layer.stride;
  const [padHeight, padWidth] = layer.kind === 'conv2d' ? layer.padding : [0, 0];
  const rows = validOutputs(kernelHeight, strideHeight, padHeight, inHeight, outHeight);
  const cols = validOutputs(kernelWidth, strideWidth, padWidth, inWidth, outWidth);
  return {
    inChannels,
    inHeight,
    inWidth,
    outChannels,
    outHeight,
    outWidth,
    kernelHeight,
    kernelWidth,
    strideHeight,
    strideWidth,
    padHeight,
    padWidth,
    rowLo: rows.lo,
    rowHi: rows.hi,
    colLo: cols.lo,
    colHi: cols.hi,
  };
}

/** Output channels a convolution kernel handles per pass over the input: each input value loaded feeds four sums. */
const BLOCK = 4;

/** `values` (`channels` rows of `width`) copied into float64 rows, zero rows appended up to a multiple of BLOCK. */
function blockPadded(values: FloatArray, offset: number, channels: number, width: number, into?: Float64Array): Float64Array {
  const padded = into ?? new Float64Array(Math.ceil(channels / BLOCK) * BLOCK * width);
  padded.set(values.subarray(offset, offset + channels * width));
  return padded;
}

/**
 * `out[r, o, y, x] = bias[o] + Σ_{c, i, j} w[o, c, i, j] · in[r, c, y·sh − ph + i, x·sw − pw + j]` (a cross-correlation
 * over the zero-padded input; `w` OIHW). Each input value is loaded once per kernel offset for four output channels,
 * which are summed in float64 planes (the bias first, then `c, i, j` in order) and stored once.
 */
export function conv2dForward(x: FloatArray, w: FloatArray, bias: FloatArray, rows: number, g: WindowGeometry, out: FloatArray): void {
  const { inChannels: C, inHeight: H, inWidth: W, outChannels: O, outHeight: OH, outWidth: OW } = g;
  const { kernelHeight: KH, kernelWidth: KW, strideHeight: sh, strideWidth: sw, padHeight: ph, padWidth: pw } = g;
  const { rowLo, rowHi, colLo, colHi } = g;
  const P = OH * OW;
  const K = C * KH * KW;
  // Zero weights and biases for the missing channels of the last block: their planes are computed and dropped.
  const weights = blockPadded(w, 0, O, K);
  const biases = blockPadded(bias, 0, O, 1);
  const planes = new Float64Array(BLOCK * P);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < O; o += BLOCK) {
      for (let q = 0; q < BLOCK; q++) planes.fill(biases[o + q] as number, q * P, (q + 1) * P);
      for (let c = 0; c < C; c++) {
        const xPlane = (r * C + c) * H * W;
        for (let i = 0; i < KH; i++) {
          const yLo = rowLo[i] as number;
          const yHi = rowHi[i] as number;
          for (let j = 0; j < KW; j++) {
            const k = o * K + (c * KH + i) * KW + j;
            const w0 = weights[k] as number;
            const w1 = weights[k + K] as number;
            const w2 = weights[k + 2 * K] as number;
            const w3 = weights[k + 3 * K] as number;
            const xLo = colLo[j] as number;
            const xHi = colHi[j] as number;
            for (let y = yLo; y < yHi; y++) {
              let xi = xPlane + (y * sh - ph + i) * W + xLo * sw - pw + j;
              for (let at = y * OW + xLo, end = y * OW + xHi; at < end; at++, xi += sw) {
                const v = x[xi] as number;
                planes[at] = (planes[at] as number) + w0 * v;
                planes[at + P] = (planes[at + P] as number) + w1 * v;
                planes[at + 2 * P] = (planes[at + 2 * P] as number) + w2 * v;
                planes[at + 3 * P] = (planes[at + 3 * P] as number) + w3 * v;
              }
            }
          }
        }
      }
      out.set(planes.subarray(0, Math.min(BLOCK, O - o) * P), (r * O + o) * P);
    }
  }
}

/**
 * `gw[o, c, i, j] = Σ_{r, y, x} g[r, o, y, x] · in[r, c, y·sh − ph + i, x·sw − pw + j]` and `gb[o] = Σ_{r, y, x} g[r, o, y, x]`,
 * summed in float64 over the whole batch (four output channels per pass over the input) and stored once.
 */
export function conv2dParamGrads(x: FloatArray, gOut: FloatArray, rows: number, g: WindowGeometry, gw: FloatArray, gb: FloatArray): void {
  const { inChannels: C, inHeight: H, inWidth: W, outChannels: O, outHeight: OH, outWidth: OW } = g;
  const { kernelHeight: KH, kernelWidth: KW, strideHeight: sh, strideWidth: sw, padHeight: ph, padWidth: pw } = g;
  const { rowLo, rowHi, colLo, colHi } = g;
  const P = OH * OW;
  const K = C * KH * KW;
  const grads = blockPadded(gOut, 0, O, P); // one example's output gradient; zero planes for the missing channels
  const biasSums = new Float64Array(grads.length / P);
  const weightSums = new Float64Array((grads.length / P) * K);
  for (let r = 0; r < rows; r++) {
    blockPadded(gOut, r * O * P, O, P, grads);
    for (let o = 0; o < O; o++) {
      let b = 0;
      for (let at = o * P; at < (o + 1) * P; at++) b += grads[at] as number;
      biasSums[o] = (biasSums[o] as number) + b;
    }
    for (let o = 0; o < O; o += BLOCK) {
      for (let c = 0; c < C; c++) {
        const xPlane = (r * C + c) * H * W;
        for (let i = 0; i < KH; i++) {
          const yLo = rowLo[i] as number;
          const yHi = rowHi[i] as number;
          for (let j = 0; j < KW; j++) {
            const xLo = colLo[j] as number;
            const xHi = colHi[j] as number;
            let a0 = 0;
            let a1 = 0;
            let a2 = 0;
            let a3 = 0;
            for (let y = yLo; y < yHi; y++) {
              let xi = xPlane + (y * sh - ph + i) * W + xLo * sw - pw + j;
              for (let at = o * P + y * OW + xLo, end = at + xHi - xLo; at < end; at++, xi += sw) {
                const v = x[xi] as number;
                a0 += (grads[at] as number) * v;
                a1 += (grads[at + P] as number) * v;
                a2 += (grads[at + 2 * P] as number) * v;
                a3 += (grads[at + 3 * P] as number) * v;
              }
            }
            const k = o * K + (c * KH + i) * KW + j;
            weightSums[k] = (weightSums[k] as number) + a0;
            weightSums[k + K] = (weightSums[k + K] as number) + a1;
            weightSums[k + 2 * K] = (weightSums[k + 2 * K] as number) + a2;
            weightSums[k + 3 * K] = (weightSums[k + 3 * K] as number) + a3;
          }
        }
      }
    }
  }
  gw.set(weightSums.subarray(0, O * K));
  gb.set(biasSums.subarray(0, O));
}

/**
 * `gx[r, c, y·sh − ph + i, x·sw − pw + j] += w[o, c, i, j] · g[r, o, y, x]` over every `o, i, j, y, x` (the transposed
 * convolution), four output channels per pass; what lands in the padding is dropped.
 */
export function conv2dInputGrad(gOut: FloatArray, w: FloatArray, rows: number, g: WindowGeometry, gx: FloatArray): void {
  const { inChannels: C, inHeight: H, inWidth: W, outChannels: O, outHeight: OH, outWidth: OW } = g;
  const { kernelHeight: KH, kernelWidth: KW, strideHeight: sh, strideWidth: sw, padHeight: ph, padWidth: pw } = g;
  const { rowLo, rowHi, colLo, colHi } = g;
  const P = OH * OW;
  const K = C * KH * KW;
  const weights = blockPadded(w, 0, O, K); // zero weights for the missing channels: they add exact zeros
  const grads = blockPadded(gOut, 0, O, P);
  const plane = new Float64Array(H * W);
  for (let r = 0; r < rows; r++) {
    blockPadded(gOut, r * O * P, O, P, grads);
    for (let c = 0; c < C; c++) {
      plane.fill(0);
      for (let o = 0; o < O; o += BLOCK) {
        for (let i = 0; i < KH; i++) {
          const yLo = rowLo[i] as number;
          const yHi = rowHi[i] as number;
          for (let j = 0; j < KW; j++) {
            const k = o * K + (c * KH + i) * KW + j;
            const w0 = weights[k] as number;
            const w1 = weights[k + K] as number;
            const w2 = weights[k + 2 * K] as number;
            const w3 = weights[k + 3 * K] as number;
            const xLo = colLo[j] as number;
            const xHi = colHi[j] as number;
            for (let y = yLo; y < yHi; y++) {
              let pi = (y * sh - ph + i) * W + xLo * sw - pw + j;
              for (let at = o * P + y * OW + xLo, end = at + xHi - xLo; at < end; at++, pi += sw) {
                const t =
                  w0 * (grads[at] as number) +
                  w1 * (grads[at + P] as number) +
                  w2 * (grads[at + 2 * P] as number) +
                  w3 * (grads[at + 3 * P] as number);
                plane[pi] = (plane[pi] as number) + t;
              }
            }
          }
        }
      }
      gx.set(plane, (r * C + c) * H * W);
    }
  }
}

/** `out[r, c, y, x]` = mean of the window `in[r, c, y·sh .. y·sh + kh − 1, x·sw .. x·sw + kw − 1]` (sum / area). */
export function avgPool2dForward(x: FloatArray, rows: number, g: WindowGeometry, out: FloatArray): void {
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW, strideHeight: sh, strideWidth: sw } = g;
  const area = KH * KW;
  for (let plane = 0; plane < rows * g.inChannels; plane++) {
    const xPlane = plane * H * W;
    const oPlane = plane * OH * OW;
    for (let y = 0; y < OH; y++) {
      for (let xo = 0; xo < OW; xo++) {
        const corner = xPlane + y * sh * W + xo * sw;
        let sum = 0;
        for (let i = 0; i < KH; i++) {
          const row = corner + i * W;
          for (let j = 0; j < KW; j++) sum += x[row + j] as number;
        }
        out[oPlane + y * OW + xo] = sum / area;
      }
    }
  }
}

/** Each window's input values receive `g / area`; overlapping windows add, dropped rows and columns receive 0. */
export function avgPool2dBackward(gOut: FloatArray, rows: number, g: WindowGeometry, gx: FloatArray): void {
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW, strideHeight: sh, strideWidth: sw } = g;
  const area = KH * KW;
  const sums = new Float64Array(H * W);
  for (let plane = 0; plane < rows * g.inChannels; plane++) {
    const gPlane = plane * OH * OW;
    sums.fill(0);
    for (let y = 0; y < OH; y++) {
      for (let xo = 0; xo < OW; xo++) {
        const share = (gOut[gPlane + y * OW + xo] as number) / area;
        const corner = y * sh * W + xo * sw;
        for (let i = 0; i < KH; i++) {
          const row = corner + i * W;
          for (let j = 0; j < KW; j++) sums[row + j] = (sums[row + j] as number) + share;
        }
      }
    }
    gx.set(sums, plane * H * W);
  }
}

/**
 * Index (within its plane) of the window's largest value, the first one in row-major order on ties, as PyTorch picks
 * it: a later value must be strictly larger to replace it, and a NaN wins (PyTorch's max pooling propagates NaN).
 */
function windowArgmax(x: FloatArray, xPlane: number, corner: number, W: number, KH: number, KW: number): number {
  let best = corner;
  let max = x[xPlane + corner] as number;
  for (let i = 0; i < KH; i++) {
    const row = corner + i * W;
    for (let j = 0; j < KW; j++) {
      const v = x[xPlane + row + j] as number;
      if (v > max || Number.isNaN(v)) {
        max = v;
        best = row + j;
      }
    }
  }
  return best;
}

/** `out[r, c, y, x]` = largest value of the window (see `windowArgmax`). */
export function maxPool2dForward(x: FloatArray, rows: number, g: WindowGeometry, out: FloatArray): void {
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW, strideHeight: sh, strideWidth: sw } = g;
  for (let plane = 0; plane < rows * g.inChannels; plane++) {
    const xPlane = plane * H * W;
    const oPlane = plane * OH * OW;
    for (let y = 0; y < OH; y++) {
      for (let xo = 0; xo < OW; xo++)
        out[oPlane + y * OW + xo] = x[xPlane + windowArgmax(x, xPlane, y * sh * W + xo * sw, W, KH, KW)] as number;
    }
  }
}

/** Each window's gradient goes to its first largest input value (recomputed from the input `x`); overlaps add. */
export function maxPool2dBackward(x: FloatArray, gOut: FloatArray, rows: number, g: WindowGeometry, gx: FloatArray): void {
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW, strideHeight: sh, strideWidth: sw } = g;
  const sums = new Float64Array(H * W);
  for (let plane = 0; plane < rows * g.inChannels; plane++) {
    const xPlane = plane * H * W;
    const gPlane = plane * OH * OW;
    sums.fill(0);
    for (let y = 0; y < OH; y++) {
      for (let xo = 0; xo < OW; xo++) {
        const at = windowArgmax(x, xPlane, y * sh * W + xo * sw, W, KH, KW);
        sums[at] = (sums[at] as number) + (gOut[gPlane + y * OW + xo] as number);
      }
    }
    gx.set(sums, plane * H * W);
  }
}
