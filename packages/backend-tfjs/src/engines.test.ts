import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, createBackend, InvalidArgumentError, UnknownEngineError } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { adapter } from './adapter.js';
import { engineUnavailable, tensorCount } from './test-helpers.js';

describe('tfjs engines', async () => {
  it('lists tensorflow, wasm, cpu in priority order and touches no tfjs state until create()', async () => {
    expect(adapter.name).toBe('tfjs');
    expect(adapter.engines.map((e) => e.name)).toEqual(['tensorflow', 'wasm', 'cpu']);
    for (const engine of adapter.engines) await engine.unavailableReason();
    // This file runs in its own process: importing the adapter and probing its engines set no tfjs backend.
    expect(tf.getBackend()).toBeUndefined();
    expect(tf.engine().registryFactory).not.toHaveProperty('wasm');
  });

  const tensorflowReason = await engineUnavailable('tensorflow');
  it.skipIf(tensorflowReason === undefined)(
    `explains how to get the tensorflow engine when tfjs-node is not usable, without naming a download host${tensorflowReason === undefined ? ' (not run here: tfjs-node works here, so there is nothing to explain)' : ''}`,
    async () => {
      const reason = tensorflowReason ?? '';
      expect(reason).toMatch(/@tensorflow\/tfjs-node/);
      expect(reason).toMatch(/libtensorflow/);
      expect(reason).toMatch(/pnpm (add|rebuild) @tensorflow\/tfjs-node/);
      expect(reason).not.toMatch(/https?:|googleapis|registry|npmjs/);
      const error = await createBackend('tfjs/tensorflow').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as Error).message).toContain(reason);
    },
  );

  it('picks the first available engine when none is named, and reports it', async () => {
    const expected = (await engineUnavailable('tensorflow')) === undefined ? 'tensorflow' : 'wasm';
    const backend = await createBackend('tfjs');
    try {
      expect(backend.engine).toBe(expected);
      expect(tf.getBackend()).toBe(expected);
    } finally {
      await backend.dispose();
    }
  });

  it('reports what the wasm engine really uses in Node: the SIMD binary, one thread', async () => {
    const backend = await createBackend('tfjs/wasm', { threads: 2 });
    try {
      expect(backend.details.simd).toBe(true);
      expect(backend.details.wasmBinary).toBe('tfjs-backend-wasm-simd.wasm');
      expect(backend.details.multithreaded).toBe(false);
      expect(backend.details.threads).toBe(1);
      expect(backend.details.threadsRequested).toBe(2);
    } finally {
      await backend.dispose();
    }
  });

  it('rejects unknown engines, float64 and bad thread counts', async () => {
    await expect(createBackend('tfjs/webgpu')).rejects.toThrow(UnknownEngineError);
    await expect(createBackend('tfjs/cpu', { dtype: 'float64' })).rejects.toThrow(/float32 only/);
    await expect(createBackend('tfjs/cpu', { dtype: 'float64' })).rejects.toThrow(InvalidArgumentError);
    await expect(createBackend('tfjs/wasm', { threads: 0 })).rejects.toThrow(/threads must be a positive integer/);
  });

  it('disposing a backend frees the models it compiled', async () => {
    const backend = await createBackend('tfjs/cpu');
    const baseline = tensorCount();
    const layers = [{ kind: 'flatten' as const }, { kind: 'linear' as const, inFeatures: 4, outFeatures: 2 }];
    const params = [
      { name: '1.weight', shape: [2, 4], data: new Float32Array(8) },
      { name: '1.bias', shape: [2], data: new Float32Array(2) },
    ];
    await backend.compile({ layers, inputShape: [2, 2], numClasses: 2 }, params);
    await backend.compile({ layers, inputShape: [2, 2], numClasses: 2 }, params);
    expect(tensorCount()).toBeGreaterThan(baseline);
    await backend.dispose();
    expect(tensorCount()).toBe(baseline);
    await expect(backend.compile({ layers, inputShape: [2, 2], numClasses: 2 }, params)).rejects.toThrow(/disposed/);
  });
});
