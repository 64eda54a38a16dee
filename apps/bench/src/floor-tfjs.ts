import type * as Tfc from '@tensorflow/tfjs-core';
import { type DataIter, type LayerSpec, type ModelPreset, type ParameterTensor, sizeOf } from '@xbackend/core';
import { type FloorSession, type PreparedBatch, runFloor } from './floor-loop.js';
import { layersFloor } from './floor-tfjs-layers.js';
import { softmaxFloor } from './floor-tfjs-softmax.js';
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

/** What a model's floor is built from: tfjs, the model and its initial weights, and the batches as tensors. */
export interface TfjsFloorContext {
  readonly tf: typeof Tfc;
  readonly layers: readonly LayerSpec[];
  /** PyTorch layout, as every row starts from them. */
  readonly initial: readonly ParameterTensor[];
  readonly lr: number;
  readonly sampleShape: readonly number[];
  readonly classes: number;
  readonly test: DataIter;
  /** A batch's examples as float32 `v / 255` on the device, `[size, features]` in the data's (CHW) order, and its labels. */
  readonly upload: (batch: PreparedBatch) => { x: Tfc.Tensor2D; y: Tfc.Tensor1D };
}

/** A model's tfjs floor: one SGD step per batch and the test set's correct count, as tensors the host then reads. */
export interface TfjsFloorModel {
  /** One SGD step; the batch's loss sum and correct count as one 2-element tensor. */
  step(batch: PreparedBatch): Tfc.Tensor;
  /** Correct predictions on the test set, as a scalar tensor. */
  testCorrect(): Tfc.Tensor;
  /** How it computes, in words (the row's `loop` detail). */
  readonly loop: string;
  dispose(): void;
}

/** Softmax regression has its step with hand-written gradients; the models with hidden layers go through the tape. */
const FLOOR_MODELS: Readonly<Record<ModelPreset, (context: TfjsFloorContext) => Promise<TfjsFloorModel>>> = {
  softmax: softmaxFloor,
  mlp: layersFloor,
  lenet: layersFloor,
};

/**
 * The tfjs floor: the model's SGD step written directly in tfjs ops (see `FLOOR_MODELS`), the pixel bytes uploaded as
 * int32 and divided by 255 on the device. Batches are gathered in advance; the host reads two numbers per step, as the
 * adapter does.
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
  const { layers, initial } = await initialWeights(train, request);
  const features = sizeOf(train.sampleShape);
  const scale = tf.scalar(255);
  const widened = new Int32Array(train.batchSize * features);
  const upload = (batch: PreparedBatch) => {
    const ints = widened.length >= batch.pixels.length ? widened.subarray(0, batch.pixels.length) : new Int32Array(batch.pixels.length);
    ints.set(batch.pixels);
    return {
      x: tf.div(tf.cast(tf.tensor2d(ints, [batch.size, features], 'int32'), 'float32'), scale) as Tfc.Tensor2D,
      y: tf.tensor1d(batch.labels, 'int32'),
    };
  };
  const model = await FLOOR_MODELS[request.model]({
    tf,
    layers,
    initial,
    lr: request.lr,
    sampleShape: train.sampleShape,
    classes: train.numClasses,
    test,
    upload,
  });
  /** Reads a tensor the model returned, then frees it. */
  const read = async (tensor: Tfc.Tensor) => {
    const values = await tensor.data();
    tensor.dispose();
    return values;
  };
  const session: FloorSession = {
    async train(batches) {
      let lossSum = 0;
      let correct = 0;
      for (const batch of batches) {
        const [loss, hit] = await read(model.step(batch));
        lossSum += loss as number;
        correct += hit as number;
      }
      return { lossSum, correct };
    },
    async correct() {
      const [value] = await read(model.testCorrect());
      return value as number;
    },
  };
  const details = { tfjsCore: tf.version_core, tfjsBackend: engine, loop: model.loop };
  try {
    return await runFloor(
      request,
      data,
      session,
      { backend: TFJS_FLOOR, engine, details, buildMs: performance.now() - started },
      onProgress,
    );
  } finally {
    model.dispose();
    scale.dispose();
  }
}
