import { describe, expect, it } from 'vitest';
import type { Backend, BackendAdapter, EngineFactory } from './backend.js';
import { BackendUnavailableError, InvalidArgumentError, UnknownBackendError, UnknownEngineError } from './errors.js';
import { createBackend, createEngine, listBackends, loadBackend } from './load-backend.js';
import { createRegistry, defaultRegistry } from './registry.js';

/** An engine whose availability is whatever the test says; `create` builds a minimal Backend record. */
function engine(name: string, reason?: string, createError?: Error): EngineFactory {
  return {
    name,
    description: `${name} engine`,
    unavailableReason: async () => reason,
    async create(): Promise<Backend> {
      if (createError) throw createError;
      return {
        name: 'fake',
        engine: name,
        dtype: 'float32',
        details: {},
        compile: () => Promise.reject(new Error('not needed here')),
        dispose: async () => {},
      };
    },
  };
}

const adapter = (...engines: EngineFactory[]): BackendAdapter => ({ name: 'fake', description: '', engines });

describe('engine selection', () => {
  it('picks the first available engine when none is named, and reports it', async () => {
    const backend = await createEngine(adapter(engine('fast', 'no GPU here'), engine('slow')), undefined);
    expect(backend.engine).toBe('slow');
  });

  it('uses the named engine only', async () => {
    await expect(createEngine(adapter(engine('fast', 'no GPU here: run under xvfb-run -a'), engine('slow')), 'fast')).rejects.toThrow(
      "Backend 'fake' is not available. Tried:\n  - fake/fast: no GPU here: run under xvfb-run -a",
    );
  });

  it('lists every engine tried and why, in one error', async () => {
    const error = await createEngine(
      adapter(engine('a', 'library missing'), engine('b', undefined, new Error('init failed'))),
      undefined,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toBe("Backend 'fake' is not available. Tried:\n  - fake/a: library missing\n  - fake/b: init failed");
  });

  it('names the known engines for an unknown one', async () => {
    await expect(createEngine(adapter(engine('a'), engine('b')), 'c')).rejects.toThrow(new UnknownEngineError('fake', 'c', ['a', 'b']));
    await expect(createEngine(adapter(engine('a')), 'c')).rejects.toThrow("Backend 'fake' has no engine 'c'. Its engines: a.");
  });

  it('passes invalid options through instead of trying the next engine', async () => {
    const bad = engine('a', undefined, new InvalidArgumentError('float64 is not supported'));
    await expect(createEngine(adapter(bad, engine('b')), undefined)).rejects.toThrow('float64 is not supported');
  });
});

describe('loading by name, package or object', () => {
  const fake = adapter(engine('slow'));

  it('takes an adapter object, and the engine from the name or the option (never both, different)', async () => {
    expect((await createBackend(fake)).engine).toBe('slow');
    const registry = createRegistry({ fake });
    expect((await createBackend('fake/slow', { registry })).engine).toBe('slow');
    expect((await createBackend('fake', { registry, engine: 'slow' })).engine).toBe('slow');
    await expect(createBackend('fake/slow', { registry, engine: 'fast' })).rejects.toThrow(
      "Backend 'fake/slow' names engine 'slow' but the engine option says 'fast'; give one.",
    );
  });

  it("runs the book's script shape on an adapter given as an object", async () => {
    const loaded = await loadBackend(fake, { seed: 3 });
    expect([loaded.name, loaded.engine, loaded.seed]).toEqual(['fake', 'slow', 3]);
    expect(typeof loaded.nn.Sequential).toBe('function');
  });

  it('loads short names through a loader, lazily, and lists them in registry order', async () => {
    let loads = 0;
    const registry = defaultRegistry.with({
      fake: async () => {
        loads++;
        return { adapter: fake };
      },
    });
    expect(registry.names).toEqual(['reference', 'onnxruntime', 'tfjs', 'gpujs', 'fake']);
    expect(loads).toBe(0);
    const statuses = await listBackends({ registry: createRegistry({ fake: registry.source('fake') as never }) });
    expect(statuses).toEqual([{ backend: 'fake', engine: 'slow', description: 'slow engine', available: true }]);
    expect(loads).toBe(1);
  });

  it('refuses a registered name whose adapter calls itself something else', async () => {
    const registry = createRegistry({ other: fake });
    await expect(createBackend('other', { registry })).rejects.toThrow(
      "Backend 'other' is registered, but its adapter calls itself 'fake': register it as 'fake'.",
    );
  });

  it('rejects an unknown backend, naming the known ones', async () => {
    const error = await createBackend('pytorch').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownBackendError);
    expect((error as Error).message).toMatch(
      /^Unknown backend 'pytorch'\. Known backends: reference, onnxruntime, tfjs, gpujs\. No package 'pytorch' could be imported either \(.*pytorch.*\)\. A backend in its own package is named by its package name\.$/,
    );
  });

  it('explains a module that is not an adapter', async () => {
    const registry = createRegistry({ empty: async () => ({}) });
    await expect(createBackend('empty', { registry })).rejects.toThrow(
      "The loader of backend 'empty' does not export an xbackend adapter: expected an export named 'adapter' with a name and a list of engines.",
    );
  });
});
