import type { Backend, BackendAdapter, BackendOptions } from './backend.js';
import { BackendUnavailableError, type EngineAttempt, InvalidArgumentError, UnknownEngineError } from './errors.js';
import { init } from './init.js';
import { loss } from './loss.js';
import { createNn, type Nn } from './nn.js';
import { optim } from './optim.js';
import { type BackendRef, type BackendRegistry, defaultRegistry, parseBackendRef, resolveAdapter } from './registry.js';
import { Rng } from './rng.js';

export interface LoadBackendOptions extends BackendOptions {
  /** Engine to use; when omitted the adapter's first available engine is chosen (and reported as `engine`). */
  engine?: string;
  /** Seed of the initial weights (default 0). */
  seed?: number;
  /** Short names to resolve (default: the backends xbackend ships). */
  registry?: BackendRegistry;
  /** Node: where to resolve adapter packages from, besides the entry script and the working directory. */
  resolveFrom?: string;
}

/** What the book's script destructures: one backend with the book's namespaces bound to it. */
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

/** The engine named by `ref` (`tfjs/wasm`) or by the `engine` option; naming two different ones is an error. */
function engineOf(ref: BackendRef, engine: string | undefined): string | undefined {
  const inline = typeof ref === 'string' ? parseBackendRef(ref).engine : undefined;
  if (inline !== undefined && engine !== undefined && inline !== engine) {
    throw new InvalidArgumentError(`Backend '${String(ref)}' names engine '${inline}' but the engine option says '${engine}'; give one.`);
  }
  return engine ?? inline;
}

/** Resolves a backend reference to an adapter and an engine; never falls back to another backend. */
export async function createBackend(ref: BackendRef, options: LoadBackendOptions = {}): Promise<Backend> {
  const engine = engineOf(ref, options.engine);
  const adapter = await resolveAdapter(ref, options.registry, options.resolveFrom);
  return createEngine(adapter, engine, options);
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
  if (candidates.length === 0) {
    throw new UnknownEngineError(
      adapter.name,
      engineName ?? '',
      adapter.engines.map((e) => e.name),
    );
  }
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

/** The entry point of the book's script: `loadBackend('tfjs/wasm')`, a package name, or an adapter object. */
export async function loadBackend(ref: BackendRef, options: LoadBackendOptions = {}): Promise<LoadedBackend> {
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`seed must be an integer, got ${seed}.`);
  const backend = await createBackend(ref, options);
  return {
    name: backend.name,
    engine: backend.engine,
    backend,
    seed,
    nn: createNn(backend, (k) => Rng.seeded(seed, 'init', k), options.profiler),
    init,
    loss,
    optim,
    dispose: () => backend.dispose(),
  };
}

/** Every engine of one adapter with its availability. */
export async function engineStatuses(adapter: BackendAdapter): Promise<EngineStatus[]> {
  const out: EngineStatus[] = [];
  for (const engine of adapter.engines) {
    const reason = await engine.unavailableReason();
    out.push({
      backend: adapter.name,
      engine: engine.name,
      description: engine.description,
      available: !reason,
      ...(reason ? { reason } : {}),
    });
  }
  return out;
}

export interface ListBackendsOptions {
  readonly registry?: BackendRegistry;
  readonly resolveFrom?: string;
}

/**
 * Every backend of the registry and every engine with its availability: the one list that the CLI, the bench and the
 * conformance suite take their targets from. A package that fails to load is one entry with engine `*`.
 */
export async function listBackends({ registry = defaultRegistry, resolveFrom }: ListBackendsOptions = {}): Promise<EngineStatus[]> {
  const out: EngineStatus[] = [];
  for (const name of registry.names) {
    try {
      out.push(...(await engineStatuses(await resolveAdapter(name, registry, resolveFrom))));
    } catch (error) {
      out.push({
        backend: name,
        engine: '*',
        description: '',
        available: false,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return out;
}
