/** onnxruntime engines in Node (`#engines` under the `node` and default conditions); the browser's are in engines.browser.ts. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { EngineFactory } from '@xbackend/core';
import { GraphBuilder } from './graph.js';
import { onnxEngine } from './onnx-backend.js';
import type { SessionOptions } from './ort.js';
import { loadOrt, type OrtNodeModule } from './ort.node.js';

/** onnxruntime-node's execution providers that xbackend offers as engines. */
export type ExecutionProvider = 'cpu' | 'cuda';

/**
 * Intra-op threads unless the user asks for more (`threads`). Chosen by measurement (apps/bench, README): a step of the
 * book's model is small (256×784×10), so a second thread gains little even on an idle machine and loses badly on a
 * shared one, where it waits for a core between the many short parallel sections of every step.
 */
export const DEFAULT_INTRA_OP_THREADS = 1;

/**
 * Whether idle intra-op threads busy-wait for work (`session.intra_op.allow_spinning`) unless the user says otherwise:
 * off, because a spinning thread burns a core between steps (the process used ~2× the CPU time of its wall time) and
 * slows everything else on a shared machine. Matters only with more than one thread.
 */
export const DEFAULT_SPINNING = false;

/** Session options for one engine; a fixed, sequential plan keeps per-step overhead low and results reproducible. */
export function sessionOptionsFor(
  engine: ExecutionProvider,
  threads = DEFAULT_INTRA_OP_THREADS,
  spinning = DEFAULT_SPINNING,
): SessionOptions {
  return {
    executionProviders: [engine],
    intraOpNumThreads: threads,
    // onnxruntime-node passes `extra` through as session config entries: session.intra_op.allow_spinning.
    extra: { session: { intra_op: { allow_spinning: spinning ? '1' : '0' } } },
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 4,
  };
}

async function ortOrReason(): Promise<{ ort: OrtNodeModule } | { reason: string }> {
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

function nodeEngine(engine: ExecutionProvider, description: string, check: () => Promise<string | undefined>): EngineFactory {
  return onnxEngine({
    name: engine,
    description,
    check,
    async start(threads = DEFAULT_INTRA_OP_THREADS, spinning = DEFAULT_SPINNING) {
      const ort = await loadOrt();
      const details = {
        onnxruntime: ort.env.versions.node ?? 'unknown',
        executionProvider: engine,
        intraOpNumThreads: threads,
        intraOpSpinning: spinning,
      };
      return {
        ort,
        session: { options: sessionOptionsFor(engine, threads, spinning), writesIntoOutputs: true, readsInputsInPlace: true },
        details,
      };
    },
  });
}

export const cpuEngine: EngineFactory = nodeEngine(
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

export const cudaEngine: EngineFactory = nodeEngine(
  'cuda',
  'onnxruntime-node CUDA execution provider (NVIDIA GPUs, linux/x64 and win32/x64)',
  () => {
    cudaReason ??= probeCuda();
    return cudaReason;
  },
);

/** The engines in Node: 'cpu' first, so it is the default, and 'cuda' only when asked for by name or when cpu is missing. */
export const ONNX_ENGINES: readonly EngineFactory[] = [cpuEngine, cudaEngine];
