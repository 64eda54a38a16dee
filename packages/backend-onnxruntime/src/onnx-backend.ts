import {
  type Backend,
  type BackendOptions,
  type CompiledModel,
  type DType,
  type EngineFactory,
  InvalidArgumentError,
  type ModelSpec,
  type ParameterTensor,
  XBackendError,
} from '@xbackend/core';
import { OnnxCompiledModel } from './compiled-model.js';
import { IR_VERSION, OPSET } from './graph.js';
import type { Ort, SessionSettings } from './ort.js';

type Details = Readonly<Record<string, string | number | boolean>>;

/**
 * Examples per evaluation call: a test set of 10 000 takes 4 runs instead of 40. Larger calls save little more and
 * cost memory: the graph's float32 copy of a call's bytes stays in onnxruntime's arena (2500 × 784 × 4 B ≈ 8 MB per
 * copy; at 10 000 per call the run's peak RSS grew by about 115 MB).
 */
const EVAL_BATCH_SIZE = 2500;

class OnnxBackend implements Backend {
  readonly name = 'onnxruntime';
  readonly evalBatchSize = EVAL_BATCH_SIZE;
  /**
   * The graphs gather a shuffled batch's rows themselves (a Gather over the whole byte array) where onnxruntime reads
   * inputs in place: feeding the array then copies nothing, and the host gathers nothing.
   */
  readonly readsBatchSource: boolean;
  private readonly models = new Set<OnnxCompiledModel>();
  private disposed = false;

  constructor(
    private readonly ort: Ort,
    readonly engine: string,
    readonly dtype: DType,
    private readonly session: SessionSettings,
    readonly details: Details,
  ) {
    this.readsBatchSource = session.readsInputsInPlace === true;
  }

  async compile(spec: ModelSpec, initial: readonly ParameterTensor[]): Promise<CompiledModel> {
    if (this.disposed) throw new XBackendError('DISPOSED', 'This onnxruntime backend was disposed; load it again.');
    const model = await OnnxCompiledModel.create(this.ort, spec, this.dtype, initial, this.session, (m) => this.models.delete(m));
    this.models.add(model);
    return model;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all([...this.models].map((m) => m.dispose()));
  }
}

function checkOptions(
  engine: string,
  options: BackendOptions,
): { dtype: DType; threads: number | undefined; spinning: boolean | undefined } {
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new InvalidArgumentError(`onnxruntime/${engine}: dtype must be 'float32' or 'float64', got '${String(dtype)}'.`);
  }
  const threads = options.threads;
  if (threads !== undefined && (!Number.isSafeInteger(threads) || threads <= 0)) {
    throw new InvalidArgumentError(`onnxruntime/${engine}: threads must be a positive integer (intra-op threads), got ${threads}.`);
  }
  const spinning = options.spinning;
  if (spinning !== undefined && typeof spinning !== 'boolean') {
    throw new InvalidArgumentError(`onnxruntime/${engine}: spinning must be true or false, got ${String(spinning)}.`);
  }
  return { dtype, threads, spinning };
}

/** What an engine runs on once started: the onnxruntime module, its session options and what to report. */
export interface OnnxRuntimeStart {
  readonly ort: Ort;
  readonly session: SessionSettings;
  readonly details: Details;
}

/** One onnxruntime execution provider as an engine; Node and the browser differ only in `check` and `start`. */
export interface OnnxEngineSpec {
  readonly name: string;
  readonly description: string;
  /** Why this engine cannot run here (and how to fix that), or undefined. */
  check(): Promise<string | undefined>;
  /** `threads`, `spinning`: the user's intra-op settings (undefined: the engine's defaults). */
  start(threads: number | undefined, spinning?: boolean): Promise<OnnxRuntimeStart>;
}

/** The engine factory of one execution provider: the training graphs and the model are the same on every platform. */
export function onnxEngine(spec: OnnxEngineSpec): EngineFactory {
  const unavailableReason = async (): Promise<string | undefined> => {
    try {
      return await spec.check();
    } catch (error) {
      return `checking onnxruntime failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  return {
    name: spec.name,
    description: spec.description,
    unavailableReason,
    async create(options: BackendOptions): Promise<Backend> {
      const { dtype, threads, spinning } = checkOptions(spec.name, options);
      const reason = await unavailableReason();
      if (reason) throw new XBackendError('ENGINE_UNAVAILABLE', `onnxruntime/${spec.name} is not available: ${reason}`);
      const { ort, session, details } = await spec.start(threads, spinning);
      const allDetails = { ...details, opset: OPSET, irVersion: IR_VERSION, lossPrecision: 'float64' };
      return new OnnxBackend(ort, spec.name, dtype, session, allDetails);
    },
  };
}
