import { type EngineStatus, UnknownBackendError, UnknownEngineError } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { planTargets } from './targets.js';

const status = (backend: string, engine: string, reason?: string): EngineStatus => ({
  backend,
  engine,
  description: '',
  available: reason === undefined,
  ...(reason ? { reason } : {}),
});

/** What listBackends reports on a machine without a GPU and without tfjs-node's native addon. */
const STATUSES: EngineStatus[] = [
  status('reference', 'float32'),
  status('reference', 'float64'),
  status('onnxruntime', 'cpu'),
  status('onnxruntime', 'cuda', 'no CUDA provider'),
  status('tfjs', 'tensorflow', 'native addon missing'),
  status('tfjs', 'wasm'),
  status('tfjs', 'cpu'),
  status('gpujs', '*', 'package failed to load'),
];

const labels = (plan: ReturnType<typeof planTargets>) => plan.targets.map((t) => t.label);

describe('planTargets', () => {
  it('runs every available engine by default, with the plain-tfjs baseline after each tfjs engine', () => {
    const plan = planTargets(undefined, STATUSES, true);
    expect(labels(plan)).toEqual([
      'reference/float32',
      'reference/float64',
      'onnxruntime/cpu',
      'tfjs/wasm',
      'tfjs-idiomatic/wasm',
      'tfjs/cpu',
      'tfjs-idiomatic/cpu',
    ]);
    expect(plan.targets.find((t) => t.label === 'tfjs-idiomatic/wasm')).toMatchObject({
      kind: 'idiomatic',
      backend: 'tfjs-idiomatic',
      baseline: true,
    });
    expect(plan.skipped.map((s) => s.label)).toEqual(['onnxruntime/cuda', 'tfjs/tensorflow', 'gpujs/*']);
    expect(plan.skipped[0]?.reason).toBe('no CUDA provider');
  });

  it('adds reference/float32 as a baseline unless told not to', () => {
    expect(labels(planTargets(['onnxruntime'], STATUSES, true))).toEqual(['reference/float32', 'onnxruntime/cpu']);
    expect(planTargets(['onnxruntime'], STATUSES, true).targets[0]?.baseline).toBe(true);
    expect(labels(planTargets(['onnxruntime', 'tfjs/wasm'], STATUSES, false))).toEqual(['onnxruntime/cpu', 'tfjs/wasm']);
  });

  it('runs an engine named explicitly even when it is unavailable, so its row says why', () => {
    expect(labels(planTargets(['onnxruntime/cuda'], STATUSES, false))).toEqual(['onnxruntime/cuda']);
  });

  it('runs a backend whose package failed to load when asked for by name, and accepts any engine name for it', () => {
    expect(labels(planTargets(['gpujs', 'gpujs/webasm'], STATUSES, false))).toEqual(['gpujs', 'gpujs/webasm']);
  });

  it('accepts the idiomatic baseline by name and does not duplicate items', () => {
    const plan = planTargets(['tfjs-idiomatic', 'tfjs/wasm', 'tfjs/wasm'], STATUSES, false);
    expect(labels(plan)).toEqual(['tfjs-idiomatic/wasm', 'tfjs-idiomatic/cpu', 'tfjs/wasm']);
  });

  it('rejects unknown backends and engines before anything runs', () => {
    expect(() => planTargets(['nope'], STATUSES, true)).toThrow(UnknownBackendError);
    expect(() => planTargets(['nope'], STATUSES, true)).toThrow(
      /Unknown backend 'nope'. Known backends: reference, onnxruntime, tfjs, gpujs, tfjs-idiomatic/,
    );
    expect(() => planTargets(['tfjs/webgpu'], STATUSES, true)).toThrow(UnknownEngineError);
    expect(() => planTargets(['tfjs/'], STATUSES, true)).toThrow(/not of the form name or name\/engine/);
  });
});
