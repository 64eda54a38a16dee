import { describe, expect, it } from 'vitest';
import type { Backend, BackendAdapter, EngineFactory } from './backend.js';
import { BackendUnavailableError, InvalidArgumentError, UnknownBackendError, UnknownEngineError } from './errors.js';
import { createEngine, importAdapter, parseBackendName } from './load-backend.js';

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

describe('backend names', () => {
  it('parses name and name/engine', () => {
    expect(parseBackendName('tfjs')).toEqual({ name: 'tfjs' });
    expect(parseBackendName('tfjs/wasm')).toEqual({ name: 'tfjs', engine: 'wasm' });
    expect(() => parseBackendName('tfjs/')).toThrow("Backend 'tfjs/' is not of the form name or name/engine.");
    expect(() => parseBackendName('a/b/c')).toThrow('is not of the form');
  });

  it('rejects an unknown backend, naming the known ones', async () => {
    await expect(importAdapter('pytorch')).rejects.toThrow(
      new UnknownBackendError('pytorch', ['reference', 'onnxruntime', 'tfjs', 'gpujs']),
    );
    await expect(importAdapter('pytorch')).rejects.toThrow(
      "Unknown backend 'pytorch'. Known backends: reference, onnxruntime, tfjs, gpujs.",
    );
  });
});
