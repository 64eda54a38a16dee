import type * as tfc from '@tensorflow/tfjs-core';
import type { Conv2dSpec, Pair } from '@xbackend/core';
import { sigmoidGrad } from './activation.js';
import { parameterOp } from './parameter-op.js';
import type { Retained } from './retained.js';
import type { Tfc } from './tfjs-modules.js';
import { spatialPadding, spread } from './windows.js';

/**
 * ∂filter (HWIO) of a convolution as one more forward convolution, on every engine: the input seen as `[C_in, H, W, N]`
 * correlated with the (spread) output gradient seen as a filter `[outH, outW, N, C_out]`, with the forward's padding,
 * sums over the batch and every output position at once. tfjs-backend-wasm has no Conv2DBackpropFilter kernel, tfjs's
 * cpu kernel for it takes 11 s for LeNet's second convolution on a batch of 256 (this: 0.4 s; 5 ms on wasm), and
 * tfjs-node's accepts no explicit padding.
 */
function filterGrad(tf: Tfc, x: tfc.Tensor4D, dy: tfc.Tensor4D, layer: Conv2dSpec): tfc.Tensor4D {
  const [kh, kw] = layer.kernelSize;
  const [ph, pw] = layer.padding;
  const gradAsFilter = tf.transpose(spread(tf, dy, layer.stride), [1, 2, 0, 3]) as tfc.Tensor4D;
  const grad = tf.conv2d(tf.transpose(x, [3, 1, 2, 0]) as tfc.Tensor4D, gradAsFilter, 1, spatialPadding(ph, ph, pw, pw));
  // Floor mode: rows (columns) that no window reaches make the result taller (wider) than the kernel; they are dropped.
  const [inChannels, rows, columns, outChannels] = grad.shape;
  const kernel = rows === kh && columns === kw ? grad : tf.slice(grad, [0, 0, 0, 0], [inChannels, kh, kw, outChannels]);
  return tf.transpose(kernel, [1, 2, 0, 3]);
}

/**
 * ∂input of a convolution as a forward convolution of the (spread) output gradient with the filter flipped in space and
 * its channels swapped, padded by `kernel − 1 − padding` (cropped where that is negative). tfjs-backend-wasm's
 * Conv2DBackpropInput is 5× slower than its convolution here (58 ms against 12 ms for LeNet's second layer at batch 256).
 */
function inputGradOf(tf: Tfc, dy: tfc.Tensor4D, filter: tfc.Tensor4D, layer: Conv2dSpec, [height, width]: Pair): tfc.Tensor4D {
  const [kh, kw] = layer.kernelSize;
  const [ph, pw] = layer.padding;
  const grad = spread(tf, dy, layer.stride);
  const [n, rows, columns] = grad.shape;
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tfc.Tensor4D;
  const top = kh - 1 - ph;
  const left = kw - 1 - pw;
  const bottom = height + kh - 1 - rows - top;
  const right = width + kw - 1 - columns - left;
  const dx = tf.conv2d(grad, flipped, 1, spatialPadding(Math.max(top, 0), Math.max(bottom, 0), Math.max(left, 0), Math.max(right, 0)));
  if (top >= 0 && left >= 0 && bottom >= 0 && right >= 0) return dx;
  return tf.slice(dx, [0, Math.max(-top, 0), Math.max(-left, 0), 0], [n, height, width, filter.shape[2]]);
}

/**
 * PyTorch's Conv2d (cross-correlation, zero padding) on NHWC activations with an HWIO filter, optionally with the
 * Sigmoid that follows it fused in (one kernel instead of two on wasm: 1.8 ms against 6 ms for LeNet's first), as one
 * custom-gradient op whose gradients are forward convolutions (above): only Conv2D with stride 1 and explicit padding
 * is needed of an engine for training. The first layer with parameters (`inputGrad` false) never computes its input
 * gradient, the costliest of the three.
 */
export function conv2d(
  tf: Tfc,
  x: tfc.Tensor4D,
  filter: tfc.Variable,
  bias: tfc.Variable,
  layer: Conv2dSpec,
  options: { readonly inputGrad: boolean; readonly sigmoid: boolean; readonly retained: Retained | undefined },
): tfc.Tensor4D {
  const [ph, pw] = layer.padding;
  const [, height, width] = x.shape;
  const pad = spatialPadding(ph, ph, pw, pw);
  const activation = options.sigmoid ? 'sigmoid' : 'linear';
  // tfjs's FusedConv2D kernel directly: tf.fused.conv2d splits a fused activation into separate kernels whenever
  // gradients are being recorded, as in a training step, and the op's own gradient is never used here anyway.
  const attrs = { strides: [...layer.stride], pad, dataFormat: 'NHWC', dilations: [1, 1] };
  return parameterOp(
    tf,
    {
      input: x,
      weight: filter,
      bias,
      inputGrad: options.inputGrad,
      value: () => tf.engine().runKernel(tf.FusedConv2D, { x, filter, bias }, { ...attrs, activation }) as tfc.Tensor4D,
      ...(options.sigmoid ? { activationGrad: (dy: tfc.Tensor, y: tfc.Tensor4D) => sigmoidGrad(tf, dy, y) } : {}),
      grads: {
        input: (dz) => inputGradOf(tf, dz as tfc.Tensor4D, filter as tfc.Tensor4D, layer, [height, width]),
        weight: (dz) => filterGrad(tf, x, dz as tfc.Tensor4D, layer),
        bias: (dz) => tf.sum(dz, [0, 1, 2]),
      },
    },
    options.retained,
  );
}
