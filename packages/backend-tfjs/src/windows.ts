/**
 * Moving values between a window op's input `[N, H, W, C]` (NHWC) and its output grid `[N, outH, outW, C]`: the
 * pieces that the gradients of strided convolutions and of pooling are built from, with ops every tfjs engine has
 * (reshape, pad, slice, strided slice).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Pair } from '@xbackend/core';
import type { Tfc } from './tfjs-modules.js';

/** `[[0, 0], [top, bottom], [left, right], [0, 0]]`: tfjs's explicit padding of an NHWC tensor. */
export type Padding4 = [[number, number], [number, number], [number, number], [number, number]];

export function spatialPadding(top: number, bottom: number, left: number, right: number): Padding4 {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/** The offsets `[row, column]` of a window's cells, in row-major order (the order PyTorch breaks max-pool ties in). */
export function windowCells([kh, kw]: Pair): Pair[] {
  return Array.from({ length: kh * kw }, (_, k) => [Math.floor(k / kw), k % kw] as const);
}

/**
 * `t` `[N, h, w, C]` with `stride − 1` zero rows (columns) after every row (column) but the last:
 * `[N, s·(h−1)+1, s·(w−1)+1, C]`, value (i, j) landing on (s·i, s·j). A strided op's gradient is then a stride-1 op.
 * Rows, then columns, each as a pad of a rank-4 view: tfjs's webgl pad of rank 6 fails to compile its shader, and its
 * webgpu pad of rank 6 gives wrong values (measured on SwiftShader).
 */
export function spread(tf: Tfc, t: tfc.Tensor4D, [sh, sw]: Pair): tfc.Tensor4D {
  const [n, h, w, c] = t.shape;
  const gapsAfter = (x: tfc.Tensor4D, stride: number): tfc.Tensor4D =>
    tf.pad(x, [
      [0, 0],
      [0, 0],
      [0, stride - 1],
      [0, 0],
    ]);
  const rows = sh === 1 ? t : gapsAfter(tf.reshape(t, [n, h, 1, w * c]), sh);
  const height = sh * (h - 1) + 1;
  const tall = sh === 1 ? t : (tf.slice(tf.reshape(rows, [n, h * sh, w, c]), [0, 0, 0, 0], [n, height, w, c]) as tfc.Tensor4D);
  if (sw === 1) return tall;
  const columns = gapsAfter(tf.reshape(tall, [n * height, w, 1, c]), sw);
  return tf.slice(tf.reshape(columns, [n, height, w * sw, c]), [0, 0, 0, 0], [n, height, sw * (w - 1) + 1, c]) as tfc.Tensor4D;
}

/** Cell `[row, column]` of every window (no padding, floor mode): `[N, outH, outW, C]`. */
export function cellOfWindows(tf: Tfc, x: tfc.Tensor4D, [row, column]: Pair, [sh, sw]: Pair, [outH, outW]: Pair): tfc.Tensor4D {
  const [n, , , c] = x.shape;
  return tf.stridedSlice(
    x,
    [0, row, column, 0],
    [n, row + sh * (outH - 1) + 1, column + sw * (outW - 1) + 1, c],
    [1, sh, sw, 1],
  ) as tfc.Tensor4D;
}

/**
 * The inverse of `cellOfWindows`: `part` `[N, outH, outW, C]` placed at that cell of every window of an `[N, H, W, C]`
 * input, zeros elsewhere.
 */
export function placeAtCell(tf: Tfc, part: tfc.Tensor4D, [row, column]: Pair, stride: Pair, [height, width]: Pair): tfc.Tensor4D {
  const spreadPart = spread(tf, part, stride);
  const [, h, w] = spreadPart.shape;
  return tf.pad(spreadPart, spatialPadding(row, height - row - h, column, width - column - w));
}

/**
 * The sum of same-shape tensors by pairwise adds, not one addN: tfjs's webgpu AddN binds a buffer per input and fails
 * beyond WebGPU's default limit of 8 storage buffers per shader (a 3×3 window has 9 cells).
 */
export function sumOf(tf: Tfc, parts: readonly tfc.Tensor4D[]): tfc.Tensor4D {
  const [first, ...rest] = parts;
  if (!first) throw new Error('internal: sumOf needs at least one tensor');
  return rest.reduce((sum, part) => tf.add(sum, part), first);
}
