import type * as tfc from '@tensorflow/tfjs-core';
import {
  type Batch,
  type BatchStats,
  type CompiledModel,
  type FloatArray,
  type ModelSpec,
  type ParameterTensor,
  type Profiler,
  type StepHyperparameters,
  timed,
  XBackendError,
} from '@xbackend/core';
import { Retained } from './retained.js';
import type { TfjsRuntime } from './runtime.js';
import { SequentialModel } from './sequential-model.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';

type SgdOptimizer = ReturnType<TfjsRuntime['tf']['train']['sgd']>;

/** A batch on the device: examples (float32), labels and the bool one-hot of the labels (for the loss). */
interface DeviceBatch {
  readonly x: tfc.Tensor;
  readonly labels: tfc.Tensor1D;
  readonly labelMask: tfc.Tensor2D;
}

/**
 * A ModelSpec compiled to tfjs variables and ops (`SequentialModel`), trained with `tf.train.sgd`'s `minimize`. Every
 * call runs inside the runtime's queue with this engine's tfjs backend active, creates its temporaries inside
 * `tf.tidy` and reads the host exactly once.
 */
export class TfjsModel implements CompiledModel {
  private optimizer: SgdOptimizer | undefined;
  private optimizerLr = Number.NaN;
  private disposed = false;
  /** Pixel bytes widened to int32 for upload (tfjs has no uint8 tensors); reused, as its tensor dies with the call. */
  private staging = new Int32Array(0);
  private readonly variables: tfc.Variable[];

  private constructor(
    private readonly runtime: TfjsRuntime,
    private readonly spec: ModelSpec,
    private readonly model: SequentialModel,
    private readonly onDispose: (model: TfjsModel) => void,
    private readonly profiler: Profiler | undefined,
  ) {
    this.variables = model.variables;
  }

  static async create(
    runtime: TfjsRuntime,
    spec: ModelSpec,
    initial: readonly ParameterTensor[],
    onDispose: (model: TfjsModel) => void,
    profiler?: Profiler,
  ): Promise<TfjsModel> {
    return runtime.run(() => new TfjsModel(runtime, spec, new SequentialModel(runtime.tf, spec, initial), onDispose, profiler));
  }

  async trainStep(batch: Batch, hyper: StepHyperparameters): Promise<BatchStats> {
    this.assertUsable();
    if (this.variables.length === 0) return this.evaluate(batch); // nothing to train (e.g. a lone Flatten)
    return this.runtime.run(() => {
      const { tf } = this.runtime;
      const optimizer = this.sgd(hyper.lr);
      const stats = tf.tidy(() => {
        const device = this.upload(batch);
        const prepared = this.model.prepare(device.x);
        // minimize() tidies its forward pass; the stats of that same forward pass are kept out of it, and so is what
        // the gradients read (disposed once the update is done).
        const kept: { stats?: tfc.Tensor } = {};
        const retained = new Retained(tf);
        try {
          optimizer.minimize(
            () => {
              const logits = this.model.logits(prepared, retained);
              const perExample = softmaxCrossEntropy(tf, logits, device.labelMask);
              kept.stats = tf.keep(this.batchStats(perExample, logits, device.labels));
              const mean = tf.mean(perExample) as tfc.Scalar;
              return hyper.weightDecay > 0 ? tf.add(mean, this.l2Penalty(hyper.weightDecay)) : mean;
            },
            false,
            this.variables,
          );
        } catch (error) {
          kept.stats?.dispose();
          throw error;
        } finally {
          retained.dispose();
        }
        if (!kept.stats) throw new Error('internal: the training step produced no statistics');
        return kept.stats;
      });
      return this.readStats(stats);
    });
  }

  async evaluate(batch: Batch): Promise<BatchStats> {
    this.assertUsable();
    return this.runtime.run(() => {
      const { tf } = this.runtime;
      const stats = tf.tidy(() => {
        const device = this.upload(batch);
        const logits = this.forward(device.x);
        return this.batchStats(softmaxCrossEntropy(tf, logits, device.labelMask), logits, device.labels);
      });
      return this.readStats(stats);
    });
  }

  async logits(batch: Batch): Promise<FloatArray> {
    this.assertUsable();
    return this.runtime.run(() => this.read(this.runtime.tf.tidy(() => this.forward(this.upload(batch).x))));
  }

  async losses(batch: Batch): Promise<FloatArray> {
    this.assertUsable();
    return this.runtime.run(() => {
      const { tf } = this.runtime;
      return this.read(
        tf.tidy(() => {
          const device = this.upload(batch);
          return softmaxCrossEntropy(tf, this.forward(device.x), device.labelMask);
        }),
      );
    });
  }

  async readParameters(): Promise<ParameterTensor[]> {
    this.assertUsable();
    return this.runtime.run(() => this.model.read());
  }

  async writeParameters(params: readonly ParameterTensor[]): Promise<void> {
    this.assertUsable();
    await this.runtime.run(() => this.model.write(params));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.runtime.run(() => {
      this.optimizer?.dispose();
      this.model.dispose();
    });
    this.onDispose(this);
  }

  /** One SGD optimizer per model; a new lr only replaces its learning-rate scalar. */
  private sgd(lr: number): SgdOptimizer {
    if (!this.optimizer) {
      this.optimizer = this.runtime.tf.train.sgd(lr);
    } else if (lr !== this.optimizerLr) {
      this.optimizer.setLearningRate(lr);
    }
    this.optimizerLr = lr;
    return this.optimizer;
  }

  /** `wd/2·Σ‖w‖²` over every parameter: its gradient is exactly `wd·w`, the decay term of the update rule. */
  private l2Penalty(weightDecay: number): tfc.Scalar {
    const { tf } = this.runtime;
    return tf.mul(tf.scalar(weightDecay / 2), tf.addN(this.variables.map((v) => tf.sum(tf.square(v)))));
  }

  /**
   * The batch on the device. Bytes go up as int32 (tfjs has no uint8 tensors; widening them into a reused buffer is a
   * native copy, unlike tfjs's own conversion) and become float32 there: a cast, then a float32 division by 255, which
   * is exactly `float32(v / 255)` (IEEE division is correctly rounded). Call inside `tf.tidy`.
   */
  private upload(batch: Batch): DeviceBatch {
    const { tf } = this.runtime;
    const shape = [batch.size, ...batch.sampleShape];
    const labels = tf.tensor1d(batch.y, 'int32');
    let x: tfc.Tensor;
    const { pixels } = batch;
    if (pixels) {
      if (this.staging.length < pixels.length) this.staging = new Int32Array(pixels.length);
      const widened = this.staging.subarray(0, pixels.length);
      widened.set(pixels);
      x = tf.div(tf.cast(tf.tensor(widened, shape, 'int32'), 'float32'), tf.scalar(255, 'float32'));
    } else {
      x = tf.tensor(batch.x, shape, 'float32');
    }
    return { x, labels, labelMask: tf.cast(tf.oneHot(labels, this.spec.numClasses) as tfc.Tensor2D, 'bool') };
  }

  private forward(x: tfc.Tensor): tfc.Tensor2D {
    return this.model.logits(this.model.prepare(x));
  }

  /** `[lossSum, correct]` in one tensor, so that the host reads once per batch. */
  private batchStats(perExample: tfc.Tensor1D, logits: tfc.Tensor2D, labels: tfc.Tensor1D): tfc.Tensor1D {
    const { tf } = this.runtime;
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
    return tf.stack([tf.sum(perExample), correct]) as tfc.Tensor1D;
  }

  private async readStats(stats: tfc.Tensor): Promise<BatchStats> {
    const [lossSum, correct] = await this.read(stats);
    return { lossSum: lossSum as number, correct: correct as number };
  }

  /** Reads a tensor to a host Float32Array (a copy) and disposes it; timed as `read` when there is a profiler. */
  private async read(tensor: tfc.Tensor): Promise<Float32Array> {
    try {
      return await timed(this.profiler, 'read', async () => Float32Array.from(await tensor.data<'float32'>()));
    } finally {
      tensor.dispose();
    }
  }

  private assertUsable(): void {
    if (this.disposed) throw new XBackendError('DISPOSED', 'This tfjs model was disposed; compile the model again to use it.');
  }
}
