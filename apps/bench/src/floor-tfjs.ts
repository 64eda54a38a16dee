import type * as Tfc from '@tensorflow/tfjs-core';
import type { DataIter } from '@xbackend/core';
import { type FloorSession, type PreparedBatch, prepareEpoch, runFloor } from './floor-loop.js';
import { initialWeights } from './initial-weights.js';
import type { ProgressMessage, RunMeasurement, RunRequest } from './protocol.js';

/** The name floor rows of tfjs carry, e.g. `tfjs-floor/wasm`. */
export const TFJS_FLOOR = 'tfjs-floor';

/** The tfjs package that provides each engine (a tfjs backend of the same name). */
const ENGINE_PACKAGES: Readonly<Record<string, string>> = {
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/**
 * The tfjs floor: one SGD step of softmax regression written directly in tfjs ops, gradients by hand (no tape, no
 * optimizer), in the matmul orientations tfjs-backend-wasm runs fastest (no transpose flags; `transpose` only on the
 * small operands), the pixel bytes uploaded as int32 and divided by 255 on the device. Batches are gathered in advance;
 * the host reads two numbers per step, as the adapter does.
 */
export async function measureTfjsFloor(
  request: RunRequest,
  data: { train: DataIter; test: DataIter },
  onProgress: (message: ProgressMessage) => void,
): Promise<RunMeasurement> {
  const { train, test } = data;
  onProgress({ type: 'progress', phase: 'build' });
  const started = performance.now();
  const engine = request.engine ?? 'wasm';
  const enginePackage = ENGINE_PACKAGES[engine];
  if (!enginePackage) throw new Error(`the tfjs floor runs on ${Object.keys(ENGINE_PACKAGES).join(', ')}, not '${engine}'`);
  const tf: typeof Tfc = await import('@tensorflow/tfjs-core');
  await import(enginePackage);
  if (!(await tf.setBackend(engine))) throw new Error(`tfjs could not start its '${engine}' backend`);
  const { initial } = await initialWeights(train, request.seed, request.initStd);
  const [weight, bias] = initial;
  if (!weight || !bias || initial.length !== 2) throw new Error('internal: the floor trains softmax regression (one Linear)');
  const features = weight.shape[1] as number;
  const classes = train.numClasses;
  const w = tf.variable(tf.tensor2d(Float32Array.from(weight.data), [classes, features]));
  const b = tf.variable(tf.tensor1d(Float32Array.from(bias.data)));
  const lr = tf.scalar(request.lr);
  const scale = tf.scalar(255);
  const widened = new Int32Array(train.batchSize * features);

  /** Examples as float32 `v / 255` on the device, and the labels. */
  const upload = (batch: PreparedBatch) => {
    const ints = widened.length >= batch.pixels.length ? widened.subarray(0, batch.pixels.length) : new Int32Array(batch.pixels.length);
    ints.set(batch.pixels);
    return {
      x: tf.div(tf.cast(tf.tensor2d(ints, [batch.size, features], 'int32'), 'float32'), scale),
      y: tf.tensor1d(batch.labels, 'int32'),
    };
  };
  const [testSet] = prepareEpoch(test.withBatchSize?.(test.numExamples) ?? test, 0);
  if (!testSet) throw new Error('internal: no test set');
  const logitsOf = (x: Tfc.Tensor) => tf.add(tf.matMul(x, tf.transpose(w)), b);
  const hits = (logits: Tfc.Tensor, y: Tfc.Tensor) => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));

  const session: FloorSession = {
    async train(batches) {
      let lossSum = 0;
      let correct = 0;
      for (const batch of batches) {
        const stats = tf.tidy(() => {
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
        });
        const [loss, hit] = await stats.data();
        stats.dispose();
        lossSum += loss as number;
        correct += hit as number;
      }
      return { lossSum, correct };
    },
    async correct() {
      const result = tf.tidy(() => {
        const { x, y } = upload(testSet);
        return hits(logitsOf(x), y);
      });
      const [value] = await result.data();
      result.dispose();
      return value as number;
    },
  };
  const details = {
    tfjsCore: tf.version_core,
    tfjsBackend: engine,
    loop: 'tfjs ops with hand-written gradients over batches gathered in advance',
  };
  try {
    return await runFloor(
      request,
      data,
      session,
      { backend: TFJS_FLOOR, engine, details, buildMs: performance.now() - started },
      onProgress,
    );
  } finally {
    tf.dispose([w, b, lr, scale]);
  }
}
