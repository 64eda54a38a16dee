/**
 * Core's layouts against tfjs's. Core: NCHW examples, `[out, in]` Linear and OIHW Conv2d weights (PyTorch's). tfjs:
 * NHWC activations and HWIO filters for its convolutions and pools. Conversions happen here and nowhere else: the
 * batch once on its way in, activations at a Flatten, weights when they are uploaded or read.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { LayerSpec } from '@xbackend/core';
import type { Tfc } from './tfjs-modules.js';

/** An activation between layers: in core's layout (`[N, ...example]`, NCHW images) or, after a conv or pool, NHWC. */
export interface Activation {
  readonly tensor: tfc.Tensor;
  readonly nhwc: boolean;
}

/** The activation as NHWC, for a convolution or a pool. One channel: NCHW and NHWC are the same values in the same order. */
export function toNhwc(tf: Tfc, { tensor, nhwc }: Activation): tfc.Tensor4D {
  if (nhwc) return tensor as tfc.Tensor4D;
  const [n, c, h, w] = tensor.shape as [number, number, number, number];
  return (c === 1 ? tf.reshape(tensor, [n, h, w, 1]) : tf.transpose(tensor, [0, 2, 3, 1])) as tfc.Tensor4D;
}

/**
 * The activation as `[N, features]` in PyTorch's Flatten order (channel, row, column), so that the next Linear's
 * weights mean what they mean in PyTorch.
 */
export function toRows(tf: Tfc, { tensor, nhwc }: Activation): tfc.Tensor2D {
  const [n, h, w, c] = tensor.shape as [number, number, number, number];
  const nchw = nhwc && c > 1 && h * w > 1 ? tf.transpose(tensor, [0, 3, 1, 2]) : tensor;
  return (nchw.rank === 2 ? nchw : tf.reshape(nchw, [n, -1])) as tfc.Tensor2D;
}

/** A weight as the device keeps it: Linear `[out, in]` as in core (see linear.ts), Conv2d OIHW → HWIO (tf.conv2d's filter). */
export function weightToDevice(tf: Tfc, layer: LayerSpec, core: tfc.Tensor): tfc.Tensor {
  return layer.kind === 'conv2d' ? tf.transpose(core, [2, 3, 1, 0]) : core;
}

/** The inverse of `weightToDevice`: a new tensor in core's layout (a copy for Conv2d, the weight itself for Linear). */
export function weightToCore(tf: Tfc, layer: LayerSpec, device: tfc.Tensor): tfc.Tensor {
  return layer.kind === 'conv2d' ? tf.transpose(device, [3, 2, 0, 1]) : device;
}
