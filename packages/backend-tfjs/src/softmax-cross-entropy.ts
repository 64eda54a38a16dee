import type * as tfc from '@tensorflow/tfjs-core';
import type { Tfc } from './tfjs-modules.js';

/**
 * Per-example softmax cross-entropy from logits, with its gradient, finite for every finite float32 logit.
 *
 * `tf.losses.softmaxCrossEntropy` computes `logits − logSumExp(logits)` and multiplies it by the one-hot labels.
 * For a row like [−3e38, −3e38, 3e38] that is −Inf·0 = NaN, and for a row of equal ±3e38 values logSumExp rounds to
 * the max, so the loss comes out 0 (not log C) and the gradient 1 − onehot. Here, as in d2l §3.7, the row max is
 * subtracted first:  loss = log Σ exp(z − max) − (z_label − max),  ∂loss/∂z = softmax(z) − onehot,
 * and the label's entry is picked with `where`, so an infinite difference is never multiplied by 0.
 *
 * `labelMask` is a bool [batch, classes] one-hot of the labels; it must outlive the gradient computation.
 */
export function softmaxCrossEntropy(tf: Tfc, logits: tfc.Tensor2D, labelMask: tfc.Tensor2D): tfc.Tensor1D {
  const op = tf.customGrad((...args: (tfc.Tensor | tfc.GradSaveFunc)[]) => {
    const [z, save] = args;
    if (!(z instanceof tf.Tensor) || typeof save !== 'function') throw new Error('internal: softmaxCrossEntropy takes one tensor');
    const shifted = tf.sub(z, tf.max(z, 1, true));
    const exps = tf.exp(shifted);
    const sumExp = tf.sum(exps, 1, true);
    const picked = tf.sum(tf.where(labelMask, shifted, tf.zerosLike(shifted)), 1);
    const value = tf.sub(tf.squeeze(tf.log(sumExp), [1]), picked);
    save([tf.div(exps, sumExp)]);
    return {
      value,
      gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) => {
        const probs = saved[0] as tfc.Tensor;
        return tf.mul(tf.expandDims(dy, 1), tf.sub(probs, tf.cast(labelMask, 'float32')));
      },
    };
  });
  return op(logits) as tfc.Tensor1D;
}
