import type * as tfc from '@tensorflow/tfjs-core';
import {
  type Batch,
  type BatchStats,
  type CompiledModel,
  type FloatArray,
  type ModelSpec,
  type ParameterTensor,
  type StepHyperparameters,
  XBackendError,
} from '@xbackend/core';
import { type BuiltModel, buildSequential, downloadParameters, uploadParameters } from './build-model.js';
import type { TfjsRuntime } from './runtime.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';

type SgdOptimizer = ReturnType<TfjsRuntime['tf']['train']['sgd']>;

/** A batch on the device: pixels, labels and the bool one-hot of the labels (for the loss). */
interface DeviceBatch {
  readonly x: tfc.Tensor;
  readonly labels: tfc.Tensor1D;
  readonly labelMask: tfc.Tensor2D;
}

/**
 * A ModelSpec compiled to a tf.layers Sequential. Every call runs inside the runtime's queue with this engine's
 * tfjs backend active, creates its temporaries inside `tf.tidy` and reads the host exactly once.
 */
export class TfjsModel implements CompiledModel {
  private optimizer: SgdOptimizer | undefined;
  private optimizerLr = Number.NaN;
  private disposed = false;
  private readonly variables: tfc.Variable[];

  private constructor(
    private readonly runtime: TfjsRuntime,
    private readonly spec: ModelSpec,
    private readonly built: BuiltModel,
    private readonly onDispose: (model: TfjsModel) => void,
  ) {
    const { tf } = runtime;
    // tf.layers hands out LayerVariables; minimize() wants the tf.Variables they wrap.
    this.variables = built.model.trainableWeights.map((w) => {
      const variable = w.read();
      if (!(variable instanceof tf.Variable)) throw new Error(`internal: weight ${w.name} is not a tf.Variable`);
      return variable;
    });
  }

  static async create(
    runtime: TfjsRuntime,
    spec: ModelSpec,
    initial: readonly ParameterTensor[],
    onDispose: (model: TfjsModel) => void,
  ): Promise<TfjsModel> {
    return runtime.run(() => {
      const built = buildSequential(runtime.tfl, spec);
      try {
        uploadParameters(runtime.tf, built, initial);
        return new TfjsModel(runtime, spec, built, onDispose);
      } catch (error) {
        built.model.dispose();
        throw error;
      }
    });
  }

  async trainStep(batch: Batch, hyper: StepHyperparameters): Promise<BatchStats> {
    this.assertUsable();
    if (this.variables.length === 0) return this.evaluate(batch); // nothing to train (e.g. a lone Flatten)
    return this.runtime.run(() => {
      const { tf } = this.runtime;
      const optimizer = this.sgd(hyper.lr);
      const stats = tf.tidy(() => {
        const device = this.upload(batch);
        // minimize() tidies its forward pass; the stats of that same forward pass are kept out of it.
        const kept: { stats?: tfc.Tensor } = {};
        try {
          optimizer.minimize(
            () => {
              const logits = this.forward(device.x);
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
    return this.runtime.run(() => downloadParameters(this.built));
  }

  async writeParameters(params: readonly ParameterTensor[]): Promise<void> {
    this.assertUsable();
    await this.runtime.run(() => uploadParameters(this.runtime.tf, this.built, params));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.runtime.run(() => {
      this.optimizer?.dispose();
      this.built.model.dispose();
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

  private upload(batch: Batch): DeviceBatch {
    const { tf } = this.runtime;
    const labels = tf.tensor1d(batch.y, 'int32');
    return {
      x: tf.tensor(batch.x, [batch.size, ...batch.sampleShape], 'float32'),
      labels,
      labelMask: tf.cast(tf.oneHot(labels, this.spec.numClasses) as tfc.Tensor2D, 'bool'),
    };
  }

  private forward(x: tfc.Tensor): tfc.Tensor2D {
    const out = this.built.model.apply(x);
    if (!(out instanceof this.runtime.tf.Tensor) || out.rank !== 2)
      throw new Error('internal: the model did not return one [batch, classes] tensor');
    return out as tfc.Tensor2D;
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

  /** Reads a tensor to a host Float32Array (a copy) and disposes it. */
  private async read(tensor: tfc.Tensor): Promise<Float32Array> {
    try {
      return Float32Array.from(await tensor.data<'float32'>());
    } finally {
      tensor.dispose();
    }
  }

  private assertUsable(): void {
    if (this.disposed) throw new XBackendError('DISPOSED', 'This tfjs model was disposed; compile the model again to use it.');
  }
}
