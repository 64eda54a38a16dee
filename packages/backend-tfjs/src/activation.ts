import type * as tfc from '@tensorflow/tfjs-core';
import type { Retained } from './retained.js';
import type { Tfc } from './tfjs-modules.js';

/**
 * ∂sigmoid: `dy·y·(1 − y)` from the output, as tfjs and PyTorch compute it. tfjs's kernels are stable: `1 / (1 + exp(−x))`
 * gives 0 or 1, never NaN, where exp overflows (and float32 denormals below −87 become 0 on wasm).
 */
export function sigmoidGrad(tf: Tfc, dy: tfc.Tensor, y: tfc.Tensor): tfc.Tensor {
  return tf.mul(dy, tf.mul(y, tf.sub(tf.scalar(1), y)));
}

/** tfjs's sigmoid with the gradient above, its output kept in `retained` rather than copied by tfjs's `save()`. */
export function sigmoid(tf: Tfc, x: tfc.Tensor, retained: Retained | undefined): tfc.Tensor {
  const op = tf.customGrad(() => {
    const y = tf.sigmoid(x);
    retained?.keep(y);
    return { value: y, gradFunc: (dy: tfc.Tensor) => sigmoidGrad(tf, dy, y) };
  });
  return op(x) as tfc.Tensor;
}
