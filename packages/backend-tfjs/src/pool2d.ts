import type * as tfc from '@tensorflow/tfjs-core';
import type { Pair, Pool2dSpec } from '@xbackend/core';
import type { Retained } from './retained.js';
import type { Tfc } from './tfjs-modules.js';
import { cellOfWindows, placeAtCell, spatialPadding, sumOf, windowCells } from './windows.js';

/**
 * ∂input of an average pool: each window's gradient divided by its area, added back onto the window's cells. Windows
 * that tile the input (stride = kernel, LeNet's case) take one broadcast division and a reshape (7 ms at LeNet's first
 * pool on wasm, against 14–19 ms for tfjs's AvgPoolGrad); others add one shifted copy per cell.
 */
function avgPoolGrad(tf: Tfc, dy: tfc.Tensor4D, layer: Pool2dSpec, [height, width]: Pair): tfc.Tensor4D {
  const [kh, kw] = layer.kernelSize;
  const [sh, sw] = layer.stride;
  const [n, outH, outW, c] = dy.shape;
  if (sh === kh && sw === kw) {
    const cells = tf.div(tf.reshape(dy, [n, outH, 1, outW, 1, c]), tf.fill([1, 1, kh, 1, kw, 1], kh * kw));
    // Floor mode: rows and columns after the last window get no gradient.
    return tf.pad(
      tf.reshape(cells, [n, outH * kh, outW * kw, c]) as tfc.Tensor4D,
      spatialPadding(0, height - outH * kh, 0, width - outW * kw),
    );
  }
  const share = tf.div(dy, tf.scalar(kh * kw)) as tfc.Tensor4D;
  return sumOf(
    tf,
    windowCells(layer.kernelSize).map((cell) => placeAtCell(tf, share, cell, layer.stride, [height, width])),
  );
}

/**
 * ∂input of a max pool: each window's gradient goes to the first cell, in row-major order, that holds the window's
 * max, as PyTorch does. tfjs's own MaxPoolGrad gives ties to the first cell on cpu but to the last on wasm, webgl and
 * webgpu (a `>=` in their kernels).
 */
function maxPoolGrad(tf: Tfc, dy: tfc.Tensor4D, x: tfc.Tensor4D, y: tfc.Tensor4D, layer: Pool2dSpec): tfc.Tensor4D {
  const grid: Pair = [dy.shape[1], dy.shape[2]];
  let taken: tfc.Tensor | undefined;
  const parts = windowCells(layer.kernelSize).map((cell) => {
    const isMax = tf.equal(cellOfWindows(tf, x, cell, layer.stride, grid), y);
    const first = taken ? tf.logicalAnd(isMax, tf.logicalNot(taken)) : isMax;
    taken = taken ? tf.logicalOr(taken, first) : first;
    return placeAtCell(tf, tf.where(first, dy, tf.zerosLike(dy)), cell, layer.stride, [x.shape[1], x.shape[2]]);
  });
  return sumOf(tf, parts);
}

/**
 * PyTorch's AvgPool2d / MaxPool2d without padding (tfjs's 'valid' is floor mode) on NHWC activations, as a
 * custom-gradient op with the gradients above. A max pool's gradient reads its input and output, kept in `retained`.
 */
export function pool2d(tf: Tfc, x: tfc.Tensor4D, layer: Pool2dSpec, retained: Retained | undefined): tfc.Tensor4D {
  const kernel: [number, number] = [...layer.kernelSize];
  const stride: [number, number] = [...layer.stride];
  const inputSize: Pair = [x.shape[1], x.shape[2]];
  const op = tf.customGrad(() => {
    if (layer.kind === 'avgpool2d') {
      return {
        value: tf.avgPool(x, kernel, stride, 'valid'),
        gradFunc: (dy: tfc.Tensor) => avgPoolGrad(tf, dy as tfc.Tensor4D, layer, inputSize),
      };
    }
    const y = tf.maxPool(x, kernel, stride, 'valid');
    retained?.keep(x);
    retained?.keep(y);
    return { value: y, gradFunc: (dy: tfc.Tensor) => maxPoolGrad(tf, dy as tfc.Tensor4D, x, y, layer) };
  });
  return op(x) as tfc.Tensor4D;
}
