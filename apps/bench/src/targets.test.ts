import type { EngineStatus } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { planTargets } from './targets.js';

/** What listBackends reports on a machine without a GPU and without tfjs-node's native addon: why an engine cannot run. */
const UNAVAILABLE: Record<string, string | undefined> = {
  'reference/float32': undefined,
  'reference/float64': undefined,
  'onnxruntime/cpu': undefined,
  'onnxruntime/cuda': 'no CUDA provider',
  'tfjs/tensorflow': 'native addon missing',
  'tfjs/wasm': undefined,
  'tfjs/cpu': undefined,
  'gpujs/*': 'package failed to load',
};
const STATUSES: EngineStatus[] = Object.entries(UNAVAILABLE).map(([label, reason]) => {
  const [backend = '', engine = ''] = label.split('/');
  return { backend, engine, description: '', available: reason === undefined, ...(reason ? { reason } : {}) };
});

const labels = (plan: ReturnType<typeof planTargets>) => plan.targets.map((t) => t.label);

describe('planTargets (the bench)', () => {
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

  it('adds reference/float32 as a baseline unless told not to, or the registry has no reference backend', () => {
    expect(labels(planTargets(['onnxruntime'], STATUSES, true))).toEqual(['reference/float32', 'onnxruntime/cpu']);
    expect(planTargets(['onnxruntime'], STATUSES, true).targets[0]?.baseline).toBe(true);
    expect(labels(planTargets(['onnxruntime', 'tfjs/wasm'], STATUSES, false))).toEqual(['onnxruntime/cpu', 'tfjs/wasm']);
    const withoutReference = STATUSES.filter((s) => s.backend !== 'reference');
    expect(labels(planTargets(['onnxruntime'], withoutReference, true))).toEqual(['onnxruntime/cpu']);
  });

  it('accepts the idiomatic baseline by name, on the engines of tfjs, and does not duplicate items', () => {
    const plan = planTargets(['tfjs-idiomatic', 'tfjs/wasm', 'tfjs/wasm'], STATUSES, false);
    expect(labels(plan)).toEqual(['tfjs-idiomatic/wasm', 'tfjs-idiomatic/cpu', 'tfjs/wasm']);
    expect(plan.targets.map((t) => t.kind)).toEqual(['idiomatic', 'idiomatic', 'adapter']);
  });

  it('names the baseline among the known backends when an item is unknown', () => {
    expect(() => planTargets(['nope'], STATUSES, true)).toThrow(
      /Unknown backend 'nope'. Known backends: reference, onnxruntime, tfjs, gpujs, tfjs-idiomatic/,
    );
  });
});
