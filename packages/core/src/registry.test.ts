import { describe, expect, it } from 'vitest';
import { createRegistry, DEFAULT_BACKENDS, defaultRegistry, parseBackendRef } from './registry.js';

describe('backend references', () => {
  it('parses short names, scoped packages and paths, each with an optional engine', () => {
    expect(parseBackendRef('tfjs')).toEqual({ backend: 'tfjs' });
    expect(parseBackendRef('tfjs/wasm')).toEqual({ backend: 'tfjs', engine: 'wasm' });
    expect(parseBackendRef('@acme/xbackend-toy')).toEqual({ backend: '@acme/xbackend-toy' });
    expect(parseBackendRef('@acme/xbackend-toy/fast')).toEqual({ backend: '@acme/xbackend-toy', engine: 'fast' });
    expect(parseBackendRef('./adapters/toy.js')).toEqual({ backend: './adapters/toy.js' });
    expect(parseBackendRef('/opt/toy/index.js')).toEqual({ backend: '/opt/toy/index.js' });
  });

  it.each(['tfjs/', 'a/b/c', '@acme', '@acme/', '/'.slice(1), '@acme/toy/a/b'])('rejects %j', (spec) => {
    expect(() => parseBackendRef(spec)).toThrow('is not of the form name or name/engine');
  });
});

describe('registries', () => {
  it('ship the four backends, in priority order for listings', () => {
    expect(defaultRegistry.names).toEqual(['reference', 'onnxruntime', 'tfjs', 'gpujs']);
    expect(defaultRegistry.source('tfjs')).toBe(DEFAULT_BACKENDS.tfjs);
  });

  it('are immutable: with() returns a new registry', () => {
    const more = defaultRegistry.with({ toy: '@acme/xbackend-toy' });
    expect(more.names).toContain('toy');
    expect(defaultRegistry.names).not.toContain('toy');
    expect(() => ((DEFAULT_BACKENDS as Record<string, string>).toy = 'x')).toThrow();
  });

  it('refuse names that would not survive the command line', () => {
    expect(() => createRegistry({ 'my/backend': 'x' })).toThrow("Backend short name 'my/backend' must be a word");
  });
});
