import {
  type Batch,
  type BatchStats,
  type CompiledModel,
  type DType,
  type FloatArray,
  type ModelSpec,
  type ParameterTensor,
  type StepHyperparameters,
  sizeOf,
  XBackendError,
} from '@xbackend/core';
import { buildEvalGraph, buildTrainGraph, NAMES } from './model-graphs.js';
import { GraphSession, type Ort, type OrtTensor, type SessionOptions } from './ort.js';

interface ParameterSlot {
  readonly name: string;
  readonly shape: readonly number[];
  /** The tensor holding the current value (fed to both graphs). */
  current: OrtTensor;
  /** Where the next train step writes the updated value; swapped with `current` after the step. */
  spare: OrtTensor;
}

function allocateTensor(ort: Ort, dtype: DType, shape: readonly number[]): OrtTensor {
  const data = dtype === 'float64' ? new Float64Array(sizeOf(shape)) : new Float32Array(sizeOf(shape));
  return new ort.Tensor(dtype, data, shape);
}

/**
 * A model compiled into two onnxruntime sessions, created once: the training step and the evaluation graph. The batch
 * size is symbolic, so partial batches reuse them. Parameters stay in onnxruntime tensors: each step feeds the current
 * ones and writes the updated ones into preallocated spares (ping-pong), and the host reads only two scalars.
 */
export class OnnxCompiledModel implements CompiledModel {
  private disposed = false;
  /** Serialises calls: a step must finish (and swap the parameter buffers) before the next call reads them. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lr: OrtTensor;
  private readonly weightDecay: OrtTensor;
  private readonly lossSum: OrtTensor;
  private readonly correct: OrtTensor;

  private constructor(
    private readonly ort: Ort,
    private readonly spec: ModelSpec,
    dtype: DType,
    private readonly trainSession: GraphSession,
    private readonly evalSession: GraphSession,
    private readonly slots: ParameterSlot[],
    private readonly onDispose: (model: OnnxCompiledModel) => void,
  ) {
    this.lr = allocateTensor(ort, dtype, []);
    this.weightDecay = allocateTensor(ort, dtype, []);
    this.lossSum = allocateTensor(ort, 'float64', []);
    this.correct = allocateTensor(ort, 'float64', []);
  }

  static async create(
    ort: Ort,
    spec: ModelSpec,
    dtype: DType,
    initial: readonly ParameterTensor[],
    sessionOptions: SessionOptions,
    onDispose: (model: OnnxCompiledModel) => void,
  ): Promise<OnnxCompiledModel> {
    const trainGraph = buildTrainGraph(spec, dtype);
    const evalGraph = buildEvalGraph(spec, dtype);
    const trainSession = await GraphSession.create(ort, trainGraph, sessionOptions);
    let evalSession: GraphSession;
    try {
      evalSession = await GraphSession.create(ort, evalGraph, sessionOptions);
    } catch (error) {
      await trainSession.release();
      throw error;
    }
    const slots = initial.map((p) => {
      const current = allocateTensor(ort, dtype, p.shape);
      (current.data as FloatArray).set(p.data);
      return { name: p.name, shape: [...p.shape], current, spare: allocateTensor(ort, dtype, p.shape) };
    });
    return new OnnxCompiledModel(ort, spec, dtype, trainSession, evalSession, slots, onDispose);
  }

  trainStep(batch: Batch, hyper: StepHyperparameters): Promise<BatchStats> {
    return this.serial(async () => {
      const feeds = this.batchFeeds(batch);
      (this.lr.data as FloatArray)[0] = hyper.lr;
      (this.weightDecay.data as FloatArray)[0] = hyper.weightDecay;
      feeds[NAMES.lr] = this.lr;
      feeds[NAMES.weightDecay] = this.weightDecay;
      const fetches: Record<string, OrtTensor> = { [NAMES.lossSum]: this.lossSum, [NAMES.correct]: this.correct };
      for (const slot of this.slots) fetches[NAMES.next(slot.name)] = slot.spare;
      await this.trainSession.run(feeds, fetches);
      for (const slot of this.slots) [slot.current, slot.spare] = [slot.spare, slot.current];
      return { lossSum: (this.lossSum.data as Float64Array)[0] as number, correct: (this.correct.data as Float64Array)[0] as number };
    });
  }

  evaluate(batch: Batch): Promise<BatchStats> {
    return this.serial(async () => {
      const out = await this.evalSession.run(this.batchFeeds(batch), [NAMES.lossSum, NAMES.correct]);
      return { lossSum: scalarOf(out[NAMES.lossSum]), correct: scalarOf(out[NAMES.correct]) };
    });
  }

  logits(batch: Batch): Promise<FloatArray> {
    return this.serial(async () => (await this.evalSession.run(this.batchFeeds(batch), [NAMES.logits]))[NAMES.logits]?.data as FloatArray);
  }

  /** Per-example losses as float64 (computed in float64, so finite even where a float32 loss would overflow). */
  losses(batch: Batch): Promise<FloatArray> {
    return this.serial(async () => (await this.evalSession.run(this.batchFeeds(batch), [NAMES.losses]))[NAMES.losses]?.data as FloatArray);
  }

  readParameters(): Promise<ParameterTensor[]> {
    return this.serial(async () =>
      this.slots.map((s) => ({ name: s.name, shape: [...s.shape], data: (s.current.data as FloatArray).slice() })),
    );
  }

  writeParameters(params: readonly ParameterTensor[]): Promise<void> {
    return this.serial(async () => {
      for (const [i, p] of params.entries()) ((this.slots[i] as ParameterSlot).current.data as FloatArray).set(p.data);
    });
  }

  dispose(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    // Queued after any running call, so a step in flight finishes before its session goes away.
    return this.serial(async () => {
      if (this.disposed) return; // a second dispose() queued behind the first
      this.disposed = true;
      this.onDispose(this);
      await Promise.all([this.trainSession.release(), this.evalSession.release()]);
      for (const slot of this.slots) {
        slot.current.dispose();
        slot.spare.dispose();
      }
    }, true);
  }

  private serial<T>(task: () => Promise<T>, allowDisposed = false): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.disposed && !allowDisposed) {
        throw new XBackendError('DISPOSED', 'This onnxruntime model was disposed (its sessions are released); compile the model again.');
      }
      return task();
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private batchFeeds(batch: Batch): Record<string, OrtTensor> {
    const n = batch.size;
    const feeds: Record<string, OrtTensor> = {
      [NAMES.x]: new this.ort.Tensor('float32', batch.x, [n, ...this.spec.inputShape]),
      [NAMES.y]: new this.ort.Tensor('int32', batch.y, [n]),
    };
    for (const slot of this.slots) feeds[slot.name] = slot.current;
    return feeds;
  }
}

function scalarOf(tensor: OrtTensor | undefined): number {
  if (!tensor) throw new Error('internal: onnxruntime returned no value for a requested output');
  return (tensor.data as Float64Array)[0] as number;
}
