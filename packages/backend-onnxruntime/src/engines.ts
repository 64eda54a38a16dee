import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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
import { GraphBuilder, IR_VERSION, OPSET } from './graph.js';
import { loadOrt, type Ort, type SessionOptions } from './ort.js';

/** onnxruntime-node's execution providers that xbackend offers as engines. */
export type ExecutionProvider = 'cpu' | 'cuda';

class OnnxBackend implements Backend {
  readonly name = 'onnxruntime';
  private readonly models = new Set<OnnxCompiledModel>();
  private disposed = false;

  constructor(
    private readonly ort: Ort,
    readonly engine: ExecutionProvider,
    readonly dtype: DType,
    private readonly sessionOptions: SessionOptions,
    readonly details: Readonly<Record<string, string | number | boolean>>,
  ) {}

  async compile(spec: ModelSpec, initial: readonly ParameterTensor[]): Promise<CompiledModel> {
    if (this.disposed) throw new XBackendError('DISPOSED', 'This onnxruntime backend was disposed; load it again.');
    const model = await OnnxCompiledModel.create(this.ort, spec, this.dtype, initial, this.sessionOptions, (m) => this.models.delete(m));
    this.models.add(model);
    return model;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all([...this.models].map((m) => m.dispose()));
  }
}

function checkOptions(engine: ExecutionProvider, options: BackendOptions): { dtype: DType; threads: number | undefined } {
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new InvalidArgumentError(`onnxruntime/${engine}: dtype must be 'float32' or 'float64', got '${String(dtype)}'.`);
  }
  const threads = options.threads;
  if (threads !== undefined && (!Number.isSafeInteger(threads) || threads <= 0)) {
    throw new InvalidArgumentError(`onnxruntime/${engine}: threads must be a positive integer (intra-op threads), got ${threads}.`);
  }
  return { dtype, threads };
}

/** Session options for one engine; a fixed, sequential plan keeps per-step overhead low and results reproducible. */
export function sessionOptionsFor(engine: ExecutionProvider, threads: number | undefined): SessionOptions {
  return {
    executionProviders: [engine],
    ...(threads === undefined ? {} : { intraOpNumThreads: threads }),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 4,
  };
}

async function ortOrReason(): Promise<{ ort: Ort } | { reason: string }> {
  try {
    return { ort: await loadOrt() };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { reason: `onnxruntime-node could not be loaded (${message}); reinstall it: pnpm add onnxruntime-node@1.30.0.` };
  }
}

/** Directory of onnxruntime-node's native binding, where provider libraries must sit. */
function bindingDirectory(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  return join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

function cudaLibraryName(): string {
  return process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
}

let cudaReason: Promise<string | undefined> | undefined;

async function probeCuda(): Promise<string | undefined> {
  const loaded = await ortOrReason();
  if ('reason' in loaded) return loaded.reason;
  const { ort } = loaded;
  const cuda = ort.listSupportedBackends().find((b) => b.name === 'cuda');
  if (!cuda)
    return `this onnxruntime-node build (${process.platform}/${process.arch}) has no CUDA execution provider; it exists on linux/x64 and win32/x64 only. Use the 'cpu' engine.`;
  if (!cuda.bundled) {
    const library = join(bindingDirectory(), cudaLibraryName());
    if (!existsSync(library)) {
      return (
        `onnxruntime-node's CUDA provider is not installed (${library} is missing; it is downloaded from NuGet at install time, not shipped on npm). ` +
        'Reinstall with network access: ONNXRUNTIME_NODE_INSTALL=cuda12 pnpm rebuild onnxruntime-node, with CUDA 12 and cuDNN 9 on the library path.'
      );
    }
  }
  try {
    // Appending the provider loads CUDA and looks for a device; a tiny session shows whether that works here.
    const g = new GraphBuilder('cuda-probe');
    g.output(g.input('a', 'float32', [1]), 'b');
    const session = await ort.InferenceSession.create(g.encode(), { executionProviders: ['cuda'], logSeverityLevel: 4 });
    await session.release();
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return `onnxruntime-node could not start the CUDA provider (${message}). It needs an NVIDIA GPU with CUDA 12 and cuDNN 9 libraries on the library path.`;
  }
}

function engineFactory(engine: ExecutionProvider, description: string, check: () => Promise<string | undefined>): EngineFactory {
  const unavailableReason = async (): Promise<string | undefined> => {
    try {
      return await check();
    } catch (error) {
      return `checking onnxruntime failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  return {
    name: engine,
    description,
    unavailableReason,
    async create(options: BackendOptions): Promise<Backend> {
      const { dtype, threads } = checkOptions(engine, options);
      const reason = await unavailableReason();
      if (reason) throw new XBackendError('ENGINE_UNAVAILABLE', `onnxruntime/${engine} is not available: ${reason}`);
      const ort = await loadOrt();
      const details = {
        onnxruntime: ort.env.versions.node ?? 'unknown',
        executionProvider: engine,
        intraOpNumThreads: threads ?? 'onnxruntime default',
        opset: OPSET,
        irVersion: IR_VERSION,
        lossPrecision: 'float64',
      };
      return new OnnxBackend(ort, engine, dtype, sessionOptionsFor(engine, threads), details);
    },
  };
}

export const cpuEngine: EngineFactory = engineFactory(
  'cpu',
  'onnxruntime-node CPU execution provider (training graphs built in TypeScript)',
  async () => {
    const loaded = await ortOrReason();
    if ('reason' in loaded) return loaded.reason;
    return loaded.ort.listSupportedBackends().some((b) => b.name === 'cpu')
      ? undefined
      : 'this onnxruntime-node build lists no CPU execution provider.';
  },
);

export const cudaEngine: EngineFactory = engineFactory(
  'cuda',
  'onnxruntime-node CUDA execution provider (NVIDIA GPUs, linux/x64 and win32/x64)',
  () => {
    cudaReason ??= probeCuda();
    return cudaReason;
  },
);
