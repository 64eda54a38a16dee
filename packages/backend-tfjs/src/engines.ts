import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { type BackendOptions, InvalidArgumentError, XBackendError } from '@xbackend/core';
import { activateBackend, exclusive } from './engine-lock.js';
import { entryDirectory, hasNapiAddon, packageRoot } from './package-location.js';
import { createRuntime, type Details, type TfjsEngineName, type TfjsRuntime } from './runtime.js';
import { importTfjs, type Tfc } from './tfjs-modules.js';

const TFJS_VERSION = '4.22.0';
const WASM_BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** One tfjs backend as an xbackend engine; the xbackend engine name is the tfjs backend name. */
export interface TfjsEngine {
  readonly name: TfjsEngineName;
  readonly description: string;
  unavailableReason(): Promise<string | undefined>;
  /** Imports the backend package (which registers it with tfjs), initialises it and returns what it runs on. */
  activate(tf: Tfc, threads: number | undefined): Promise<Details>;
}

function missingPackage(packageName: string, engine: string): string {
  return `${packageName} is not installed (${engine} needs it): run pnpm add ${packageName}@${TFJS_VERSION} in your project.`;
}

/** Problems shared by every engine: tfjs-core and tfjs-layers must be resolvable. */
function missingCore(): string | undefined {
  for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']) {
    if (!entryDirectory(name)) return missingPackage(name, 'every tfjs engine');
  }
  return undefined;
}

/** A variable specifier keeps TypeScript (and bundlers) from requiring the optional package at build time. */
const TFJS_NODE: string = '@tensorflow/tfjs-node';

const tensorflow: TfjsEngine = {
  name: 'tensorflow',
  description: 'native libtensorflow through @tensorflow/tfjs-node (optional dependency)',
  async unavailableReason() {
    const root = packageRoot(TFJS_NODE);
    if (!root) {
      return (
        `${TFJS_NODE} is not installed (it is an optional dependency: its install script downloads the native libtensorflow, ` +
        `so the package manager skips it where that download fails). Run pnpm add ${TFJS_NODE}@${TFJS_VERSION} on a machine with ` +
        `internet access, or use engine 'wasm' or 'cpu'.`
      );
    }
    if (!hasNapiAddon(root, 'tfjs_binding.node')) {
      return (
        `${TFJS_NODE} is installed at ${root} but its native addon (lib/napi-v*/tfjs_binding.node) is missing: the install ` +
        `script that downloads libtensorflow did not run or failed. Run pnpm rebuild ${TFJS_NODE} on a machine with internet ` +
        `access, or use engine 'wasm' or 'cpu'.`
      );
    }
    return missingCore();
  },
  async activate(tf) {
    // Importing tfjs-node registers the 'tensorflow' backend and makes it active: we are inside the engine queue here.
    const node = (await import(TFJS_NODE)) as { version?: Record<string, string> };
    await activateBackend(tf, 'tensorflow');
    const binding = (tf.backend() as { binding?: { TF_Version?: string } }).binding;
    return {
      tfjsNode: node.version?.['tfjs-node'] ?? 'unknown',
      libtensorflow: binding?.TF_Version ?? 'unknown',
      kernels: 'native libtensorflow (C++)',
      threads: 'libtensorflow thread pools (all cores; tfjs-node has no setting)',
    };
  },
};

const wasm: TfjsEngine = {
  name: 'wasm',
  description: 'XNNPACK kernels in WebAssembly through @tensorflow/tfjs-backend-wasm (SIMD where supported)',
  async unavailableReason() {
    if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object')
      return 'this JavaScript runtime has no WebAssembly; use engine cpu.';
    const dist = entryDirectory('@tensorflow/tfjs-backend-wasm');
    if (!dist) return missingPackage('@tensorflow/tfjs-backend-wasm', 'engine wasm');
    const missing = WASM_BINARIES.filter((file) => !existsSync(join(dist, file)));
    if (missing.length > 0) {
      return `@tensorflow/tfjs-backend-wasm at ${dist} lacks ${missing.join(', ')}: reinstall it (pnpm install --force).`;
    }
    return missingCore();
  },
  async activate(tf, threads) {
    const backend = await import('@tensorflow/tfjs-backend-wasm');
    // In Node the .wasm files are read from disk next to the package's entry (its dist directory).
    backend.setWasmPaths(`${entryDirectory('@tensorflow/tfjs-backend-wasm')}${sep}`);
    if (threads !== undefined) backend.setThreadsCount(threads);
    await activateBackend(tf, 'wasm');
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const multithread = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    return {
      tfjsBackendWasm: backend.version_wasm,
      wasmBinary: WASM_BINARIES[simd ? (multithread ? 2 : 1) : 0] as string,
      simd,
      threads: backend.getThreadsCount(),
      // tfjs turns threads off whenever IS_NODE (tfjs issue #3830): its pthread workers are blob: URLs, which Node rejects.
      multithreaded: multithread,
    };
  },
};

const cpu: TfjsEngine = {
  name: 'cpu',
  description: 'plain JavaScript kernels through @tensorflow/tfjs-backend-cpu (single thread)',
  async unavailableReason() {
    return entryDirectory('@tensorflow/tfjs-backend-cpu') ? missingCore() : missingPackage('@tensorflow/tfjs-backend-cpu', 'engine cpu');
  },
  async activate(tf) {
    const backend = await import('@tensorflow/tfjs-backend-cpu');
    await activateBackend(tf, 'cpu');
    return { tfjsBackendCpu: backend.version_cpu, kernels: 'JavaScript', threads: 1 };
  },
};

/** Highest priority first: native, then WebAssembly, then plain JavaScript. */
export const TFJS_ENGINES: readonly TfjsEngine[] = [tensorflow, wasm, cpu];

function checkOptions(engine: TfjsEngineName, options: BackendOptions): number | undefined {
  if (options.dtype !== undefined && options.dtype !== 'float32') {
    throw new InvalidArgumentError(
      `tfjs/${engine} computes in float32 only; drop dtype '${options.dtype}' or use the reference backend for float64.`,
    );
  }
  const { threads } = options;
  if (threads !== undefined && (!Number.isSafeInteger(threads) || threads <= 0)) {
    throw new InvalidArgumentError(`threads must be a positive integer, got ${threads}.`);
  }
  return threads;
}

/** Starts an engine: loads tfjs, registers and initialises the backend. tfjs state is only touched here. */
export async function startEngine(engine: TfjsEngine, options: BackendOptions = {}): Promise<TfjsRuntime> {
  const threads = checkOptions(engine.name, options);
  const reason = await engine.unavailableReason();
  if (reason) throw new XBackendError('ENGINE_UNAVAILABLE', `tfjs engine '${engine.name}' is unavailable: ${reason}`);
  return exclusive(async () => {
    const { tf, tfl } = await importTfjs();
    let details: Details;
    try {
      details = await engine.activate(tf, threads);
    } catch (error) {
      if (error instanceof XBackendError) throw error;
      const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new XBackendError('ENGINE_INIT_FAILED', `tfjs engine '${engine.name}' failed to start: ${why}`, { cause: error });
    }
    return createRuntime(tf, tfl, engine.name, {
      tfjsCore: tf.version_core,
      tfjsLayers: tfl.version_layers,
      tfjsBackend: engine.name,
      ...details,
      ...(threads !== undefined ? { threadsRequested: threads } : {}),
      lossOp: 'stable softmax cross-entropy from logits (tf.customGrad)',
      sharedEngine: 'calls are serialised through one queue; each switches tfjs to its backend first',
    });
  });
}

/** The engine with this name, or the first available one when `name` is undefined. */
export async function findEngine(name: TfjsEngineName | undefined): Promise<TfjsEngine> {
  if (name !== undefined) {
    const engine = TFJS_ENGINES.find((e) => e.name === name);
    if (!engine)
      throw new InvalidArgumentError(`tfjs has no engine '${name}'. Its engines: ${TFJS_ENGINES.map((e) => e.name).join(', ')}.`);
    return engine;
  }
  const reasons: string[] = [];
  for (const engine of TFJS_ENGINES) {
    const reason = await engine.unavailableReason();
    if (!reason) return engine;
    reasons.push(`${engine.name}: ${reason}`);
  }
  throw new XBackendError('ENGINE_UNAVAILABLE', `No tfjs engine is available:\n  - ${reasons.join('\n  - ')}`);
}
