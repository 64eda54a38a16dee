import { referenceStep } from '@xbackend/conformance';
import { BackendUnavailableError, createBackend, loadBackend } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { adapter } from './adapter.js';

describe('adapter', () => {
  it('is found by core under its name, defaults to the cpu engine and reports its details', async () => {
    expect(adapter.name).toBe('onnxruntime');
    expect(adapter.engines.map((e) => e.name)).toEqual(['cpu', 'cuda']);
    const loaded = await loadBackend('onnxruntime', { threads: 1 });
    expect(loaded.engine).toBe('cpu');
    expect(loaded.backend.dtype).toBe('float32');
    expect(loaded.backend.details).toMatchObject({ executionProvider: 'cpu', intraOpNumThreads: 1, opset: 18 });
    const net = loaded.nn.Sequential(loaded.nn.Flatten(), loaded.nn.Linear(6, 3));
    net.apply(loaded.init.normal({ std: 0.01 }));
    const batch = { x: Float32Array.from({ length: 12 }, (_, i) => i / 12), y: Int32Array.from([0, 2]), size: 2, sampleShape: [1, 2, 3] };
    const spec = { layers: net.layers, inputShape: [1, 2, 3], numClasses: 3 };
    const expected = await referenceStep(spec, await net.stateDict(), batch, { lr: 0.1, weightDecay: 0 });
    const stats = await net.trainStep(batch, { lr: 0.1, weightDecay: 0 });
    expect(stats.lossSum).toBeCloseTo(expected.lossSum, 5);
    expect(stats.correct).toBe(expected.correct);
    await loaded.dispose();
  });

  it('supports float64 as a dtype option', async () => {
    const backend = await createBackend('onnxruntime', { dtype: 'float64' });
    expect(backend.dtype).toBe('float64');
    await backend.dispose();
  });

  it('never falls back from a named cuda engine to cpu', async () => {
    const reason = await adapter.engines[1]?.unavailableReason();
    if (reason === undefined) return expect((await createBackend('onnxruntime/cuda')).engine).toBe('cuda');
    await expect(createBackend('onnxruntime/cuda')).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(createBackend('onnxruntime/cuda')).rejects.toThrow(/onnxruntime\/cuda: .*CUDA/);
  });
});
