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
import { buildEvalGraph, buildTrainGraph, type InputKind, NAMES } from './model-graphs.js';
import { GraphSession, type Ort, type OrtTensor, type SessionSettings } from './ort.js';

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

/** The training step and the evaluation graph for one kind of input. */
interface SessionPair {
  readonly train: GraphSession;
  readonly evaluate: GraphSession;
}

async function createSessions(
  ort: Ort,
  spec: ModelSpec,
  dtype: DType,
  input: InputKind,
  options: SessionSettings['options'],
): Promise<SessionPair> {
  const train = await GraphSession.create(ort, buildTrainGraph(spec, dtype, input), options);
  try {
    return { train, evaluate: await GraphSession.create(ort, buildEvalGraph(spec, dtype, input), options) };
  } catch (error) {
    await train.release();
    throw error;
  }
}

/**
 * A model compiled into onnxruntime sessions: the training step and the evaluation graph, for float32 examples (`x`,
 * created at compile time, which checks the graphs), for pixel bytes (`pixels`) and for the rows of a batch's source
 * (`source`: gathered and converted inside the graphs), these created by the first batch that needs them. The batch size is symbolic, so partial batches reuse them. Parameters stay in
 * onnxruntime tensors: each step feeds the current ones and writes the updated ones into preallocated spares
 * (ping-pong), and the host reads only two scalars.
 */
export class OnnxCompiledModel implements CompiledModel {
  private disposed = false;
  /** Serialises calls: a step must finish (and swap the parameter buffers) before the next call reads them. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lr: OrtTensor;
  private readonly weightDecay: OrtTensor;
  private readonly lossSum: OrtTensor;
  private readonly correct: OrtTensor;
  private readonly sessions = new Map<InputKind, SessionPair>();

  private constructor(
    private readonly ort: Ort,
    private readonly spec: ModelSpec,
    private readonly dtype: DType,
    floatSessions: SessionPair,
    private readonly session: SessionSettings,
    private readonly slots: ParameterSlot[],
    private readonly onDispose: (model: OnnxCompiledModel) => void,
  ) {
    this.sessions.set('float', floatSessions);
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
    session: SessionSettings,
    onDispose: (model: OnnxCompiledModel) => void,
  ): Promise<OnnxCompiledModel> {
    const floatSessions = await createSessions(ort, spec, dtype, 'float', session.options);
    const slots = initial.map((p) => {
      const current = allocateTensor(ort, dtype, p.shape);
      (current.data as FloatArray).set(p.data);
      return { name: p.name, shape: [...p.shape], current, spare: allocateTensor(ort, dtype, p.shape) };
    });
    return new OnnxCompiledModel(ort, spec, dtype, floatSessions, session, slots, onDispose);
  }

  trainStep(batch: Batch, hyper: StepHyperparameters): Promise<BatchStats> {
    return this.serial(async () => {
      const { train } = await this.sessionsFor(batch);
      const feeds = this.batchFeeds(batch);
      (this.lr.data as FloatArray)[0] = hyper.lr;
      (this.weightDecay.data as FloatArray)[0] = hyper.weightDecay;
      feeds[NAMES.lr] = this.lr;
      feeds[NAMES.weightDecay] = this.weightDecay;
      const fetches: Record<string, OrtTensor> = { [NAMES.lossSum]: this.lossSum, [NAMES.correct]: this.correct };
      for (const slot of this.slots) fetches[NAMES.next(slot.name)] = slot.spare;
      const out = await train.run(feeds, this.session.writesIntoOutputs ? fetches : Object.keys(fetches));
      // onnxruntime-node writes into the preallocated spares and returns them; onnxruntime-web returns new tensors.
      // Taking what run() returns serves both: in Node this is the ping-pong swap.
      for (const slot of this.slots) [slot.current, slot.spare] = [required(out, NAMES.next(slot.name)), slot.current];
      return { lossSum: scalarOf(out[NAMES.lossSum]), correct: scalarOf(out[NAMES.correct]) };
    });
  }

  evaluate(batch: Batch): Promise<BatchStats> {
    return this.serial(async () => {
      const out = await (await this.sessionsFor(batch)).evaluate.run(this.batchFeeds(batch), [NAMES.lossSum, NAMES.correct]);
      return { lossSum: scalarOf(out[NAMES.lossSum]), correct: scalarOf(out[NAMES.correct]) };
    });
  }

  logits(batch: Batch): Promise<FloatArray> {
    return this.serial(async () => this.evaluationOutput(batch, NAMES.logits));
  }

  /** Per-example losses as float64 (computed in float64, so finite even where a float32 loss would overflow). */
  losses(batch: Batch): Promise<FloatArray> {
    return this.serial(async () => this.evaluationOutput(batch, NAMES.losses));
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
      await Promise.all([...this.sessions.values()].flatMap((pair) => [pair.train.release(), pair.evaluate.release()]));
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

  /** The sessions for this batch's kind of input (its rows, its bytes, or floats), created on first use. */
  private async sessionsFor(batch: Batch): Promise<SessionPair> {
    const kind = inputKind(batch, this.session.readsInputsInPlace === true);
    let pair = this.sessions.get(kind);
    if (!pair) {
      pair = await createSessions(this.ort, this.spec, this.dtype, kind, this.session.options);
      this.sessions.set(kind, pair);
    }
    return pair;
  }

  private async evaluationOutput(batch: Batch, name: string): Promise<FloatArray> {
    const out = await (await this.sessionsFor(batch)).evaluate.run(this.batchFeeds(batch), [name]);
    return out[name]?.data as FloatArray;
  }

  /** Tensors over the batch's own arrays (onnxruntime reads them during the run; nothing is copied here). */
  private batchFeeds(batch: Batch): Record<string, OrtTensor> {
    const n = batch.size;
    const { inputShape } = this.spec;
    const feeds: Record<string, OrtTensor> = { [NAMES.y]: new this.ort.Tensor('int32', batch.y, [n]) };
    const { source } = batch;
    const kind = inputKind(batch, this.session.readsInputsInPlace === true);
    if (kind === 'rows' && source) {
      const rows = source.bytes.length / sizeOf(inputShape);
      feeds[NAMES.sourceBytes] = new this.ort.Tensor('uint8', source.bytes, [rows, ...inputShape]);
      feeds[NAMES.sourceIndex] = new this.ort.Tensor('int32', source.index, [n]);
    } else if (kind === 'pixels') {
      feeds[NAMES.pixels] = new this.ort.Tensor('uint8', batch.pixels as Uint8Array, [n, ...inputShape]);
    } else {
      feeds[NAMES.x] = new this.ort.Tensor('float32', batch.x, [n, ...inputShape]);
    }
    for (const slot of this.slots) feeds[slot.name] = slot.current;
    return feeds;
  }
}

/**
 * A batch's rows when it knows them and onnxruntime reads inputs in place (then its pixels are never gathered on the
 * host), else its bytes, else its floats.
 */
function inputKind(batch: Batch, rowsInPlace: boolean): InputKind {
  if (rowsInPlace && batch.source) return 'rows';
  return batch.pixels ? 'pixels' : 'float';
}

function scalarOf(tensor: OrtTensor | undefined): number {
  if (!tensor) throw new Error('internal: onnxruntime returned no value for a requested output');
  return (tensor.data as Float64Array)[0] as number;
}

function required(out: Record<string, OrtTensor>, name: string): OrtTensor {
  const tensor = out[name];
  if (!tensor) throw new Error(`internal: onnxruntime returned no value for output '${name}'`);
  return tensor;
}
