import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Backend, BackendAdapter, BackendOptions } from './backend.js';
import { BackendUnavailableError, type EngineAttempt, InvalidArgumentError, UnknownBackendError, UnknownEngineError } from './errors.js';
import { init } from './init.js';
import { loss } from './loss.js';
import { createNn, type Nn } from './nn.js';
import { optim } from './optim.js';
import { Rng } from './rng.js';

/** Every backend xbackend knows, and the package that implements it. Adapters are imported only when asked for. */
export const BACKEND_PACKAGES = {
  reference: '@xbackend/backend-reference',
  onnxruntime: '@xbackend/backend-onnxruntime',
  tfjs: '@xbackend/backend-tfjs',
  gpujs: '@xbackend/backend-gpujs',
} as const;

export type BackendName = keyof typeof BACKEND_PACKAGES;

export interface LoadBackendOptions extends BackendOptions {
  /** Engine to use; when omitted the adapter's first available engine is chosen (and reported as `engine`). */
  engine?: string;
  /** Seed of the initial weights (default 0). */
  seed?: number;
  /** Where to resolve adapter packages from, in addition to the process's entry script and working directory. */
  resolveFrom?: string;
}

/** What the DESIGN.md script destructures: one backend with the book's namespaces bound to it. */
export interface LoadedBackend {
  readonly name: string;
  readonly engine: string;
  readonly backend: Backend;
  readonly seed: number;
  readonly nn: Nn;
  readonly init: typeof init;
  readonly loss: typeof loss;
  readonly optim: typeof optim;
  dispose(): Promise<void>;
}

export interface EngineStatus {
  readonly backend: string;
  readonly engine: string;
  readonly description: string;
  readonly available: boolean;
  /** Why it is unavailable, and how to fix that. */
  readonly reason?: string;
}

/** `name` may carry the engine as `name/engine`, e.g. `tfjs/wasm`. */
export function parseBackendName(spec: string): { name: string; engine?: string } {
  const [name = '', engine, ...rest] = spec.split('/');
  if (rest.length > 0 || name === '' || engine === '')
    throw new InvalidArgumentError(`Backend '${spec}' is not of the form name or name/engine.`);
  return engine === undefined ? { name } : { name, engine };
}

function isKnown(name: string): name is BackendName {
  return Object.hasOwn(BACKEND_PACKAGES, name);
}

/** Imports an adapter package: normal resolution first, then from the entry script, the working directory, `resolveFrom`. */
export async function importAdapter(name: string, resolveFrom?: string): Promise<BackendAdapter> {
  if (!isKnown(name)) throw new UnknownBackendError(name, Object.keys(BACKEND_PACKAGES));
  const specifier = BACKEND_PACKAGES[name];
  const bases = [resolveFrom, process.argv[1], join(process.cwd(), 'index.js')].filter((b): b is string => !!b);
  let module: { adapter?: BackendAdapter } | undefined;
  try {
    module = (await import(specifier)) as { adapter?: BackendAdapter };
  } catch (first) {
    for (const base of bases) {
      try {
        const resolved = createRequire(base).resolve(specifier);
        module = (await import(pathToFileURL(resolved).href)) as { adapter?: BackendAdapter };
        break;
      } catch {
        // try the next base
      }
    }
    if (!module) {
      const reason = first instanceof Error ? first.message.split('\n')[0] : String(first);
      throw new BackendUnavailableError(
        name,
        [{ backend: name, engine: '*', reason: `package ${specifier} could not be loaded (${reason})` }],
        `Install it: pnpm add ${specifier}`,
      );
    }
  }
  if (!module.adapter || module.adapter.name !== name) throw new Error(`${specifier} does not export an adapter named '${name}'.`);
  return module.adapter;
}

/** Resolves a backend name to an adapter and an engine; never falls back to another backend. */
export async function createBackend(name: string, options: LoadBackendOptions = {}): Promise<Backend> {
  const parsed = parseBackendName(name);
  const adapter = await importAdapter(parsed.name, options.resolveFrom);
  return createEngine(adapter, options.engine ?? parsed.engine, options);
}

/**
 * The named engine, or else the first available one in priority order. Every engine that was tried and could not
 * be used is listed, with its reason, in one error.
 */
export async function createEngine(
  adapter: BackendAdapter,
  engineName: string | undefined,
  options: BackendOptions = {},
): Promise<Backend> {
  const candidates = engineName === undefined ? adapter.engines : adapter.engines.filter((e) => e.name === engineName);
  if (candidates.length === 0)
    throw new UnknownEngineError(
      adapter.name,
      engineName ?? '',
      adapter.engines.map((e) => e.name),
    );
  const attempts: EngineAttempt[] = [];
  for (const factory of candidates) {
    const reason = await factory.unavailableReason();
    if (reason) {
      attempts.push({ backend: adapter.name, engine: factory.name, reason });
      continue;
    }
    try {
      return await factory.create(options);
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw error;
      attempts.push({ backend: adapter.name, engine: factory.name, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  throw new BackendUnavailableError(adapter.name, attempts);
}

/** The entry point of the DESIGN.md script. */
export async function loadBackend(name: string, options: LoadBackendOptions = {}): Promise<LoadedBackend> {
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`seed must be an integer, got ${seed}.`);
  const backend = await createBackend(name, options);
  return {
    name: backend.name,
    engine: backend.engine,
    backend,
    seed,
    nn: createNn(backend, (k) => Rng.seeded(seed, 'init', k)),
    init,
    loss,
    optim,
    dispose: () => backend.dispose(),
  };
}

/** Every known backend and engine with its availability (for `xbackend backends`). */
export async function listBackends(resolveFrom?: string): Promise<EngineStatus[]> {
  const out: EngineStatus[] = [];
  for (const name of Object.keys(BACKEND_PACKAGES)) {
    let adapter: BackendAdapter;
    try {
      adapter = await importAdapter(name, resolveFrom);
    } catch (error) {
      out.push({
        backend: name,
        engine: '*',
        description: '',
        available: false,
        reason: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    for (const engine of adapter.engines) {
      const reason = await engine.unavailableReason();
      out.push({ backend: name, engine: engine.name, description: engine.description, available: !reason, ...(reason ? { reason } : {}) });
    }
  }
  return out;
}
