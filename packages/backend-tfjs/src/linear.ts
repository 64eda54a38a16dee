import type * as tfc from '@tensorflow/tfjs-core';
import { parameterOp } from './parameter-op.js';
import type { Retained } from './retained.js';
import type { Tfc } from './tfjs-modules.js';

/**
 * `h·Wᵀ + b` for `W` `[out, in]` as one custom-gradient op, with matmuls that never transpose the `[N, in]` operand:
 * `h·transpose(W)` forward, `transpose(dy)·h` for ∂W and `dy·W` for ∂h (transposing only `W` or `dy`, which are small).
 * tfjs-backend-wasm runs a matmul with a transpose flag through a slow path (5.8 ms for xᵀ·dy at [256, 784] against
 * 0.7 ms for transpose(dy)·x, measured), and tf.layers' Dense (a fused matmul with an `[in, out]` kernel) computes
 * both ∂kernel = xᵀ·dy and ∂input in its gradient whether or not anything needs them.
 */
export function linear(
  tf: Tfc,
  h: tfc.Tensor2D,
  weight: tfc.Variable,
  bias: tfc.Variable,
  inputGrad: boolean,
  retained: Retained | undefined,
): tfc.Tensor2D {
  return parameterOp(
    tf,
    {
      input: h,
      weight,
      bias,
      inputGrad,
      value: () => tf.add(tf.matMul(h, tf.transpose(weight)), bias) as tfc.Tensor2D,
      grads: {
        input: (dy) => tf.matMul(dy as tfc.Tensor2D, weight as tfc.Tensor2D),
        weight: (dy) => tf.matMul(tf.transpose(dy), h),
        bias: (dy) => tf.sum(dy, 0),
      },
    },
    retained,
  );
}
