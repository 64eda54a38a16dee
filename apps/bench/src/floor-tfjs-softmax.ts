import type * as Tfc from '@tensorflow/tfjs-core';
import { prepareEpoch } from './floor-loop.js';
import type { TfjsFloorContext, TfjsFloorModel } from './floor-tfjs.js';

/**
 * Softmax regression's tfjs floor: one SGD step written directly in tfjs ops, gradients by hand (no tape, no
 * optimizer), in the matmul orientations tfjs-backend-wasm runs fastest (no transpose flags; `transpose` only on the
 * small operands). The test set is evaluated in one call.
 */
export async function softmaxFloor(context: TfjsFloorContext): Promise<TfjsFloorModel> {
  const { tf, initial, upload, classes, test } = context;
  const [weight, bias] = initial;
  if (!weight || !bias || initial.length !== 2) throw new Error('internal: the softmax floor trains one Linear');
  const features = weight.shape[1] as number;
  const w = tf.variable(tf.tensor2d(Float32Array.from(weight.data), [classes, features]));
  const b = tf.variable(tf.tensor1d(Float32Array.from(bias.data)));
  const lr = tf.scalar(context.lr);
  const [testSet] = prepareEpoch(test.withBatchSize?.(test.numExamples) ?? test, 0);
  if (!testSet) throw new Error('internal: no test set');
  const logitsOf = (x: Tfc.Tensor) => tf.add(tf.matMul(x, tf.transpose(w)), b);
  const hits = (logits: Tfc.Tensor, y: Tfc.Tensor) => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
  return {
    loop: 'tfjs ops with hand-written gradients over batches gathered in advance',
    step: (batch) =>
      tf.tidy(() => {
        const { x, y } = upload(batch);
        const logits = logitsOf(x);
        const shifted = tf.sub(logits, tf.max(logits, 1, true));
        const exp = tf.exp(shifted);
        const total = tf.sum(exp, 1, true);
        const onehot = tf.oneHot(y, classes);
        const loss = tf.sub(tf.log(tf.squeeze(total, [1])), tf.sum(tf.mul(shifted, onehot), 1));
        const dz = tf.div(tf.sub(tf.div(exp, total), onehot), tf.scalar(batch.size));
        w.assign(tf.sub(w, tf.mul(lr, tf.matMul(tf.transpose(dz), x))));
        b.assign(tf.sub(b, tf.mul(lr, tf.sum(dz, 0))));
        return tf.stack([tf.sum(loss), hits(logits, y)]);
      }),
    testCorrect: () =>
      tf.tidy(() => {
        const { x, y } = upload(testSet);
        return hits(logitsOf(x), y);
      }),
    dispose: () => tf.dispose([w, b, lr]),
  };
}
