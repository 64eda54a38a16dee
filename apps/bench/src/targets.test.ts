import type { EngineStatus } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { IDIOMATIC_MODELS } from './measure-idiomatic.js';
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
  it('runs every available engine by default, each followed by its baselines: plain tfjs and the floors', () => {
    const plan = planTargets(undefined, STATUSES, true);
    expect(labels(plan)).toEqual([
      'reference/float32',
      'reference/float64',
      'onnxruntime/cpu',
      'onnxruntime-floor/cpu',
      'tfjs/wasm',
      'tfjs-idiomatic/wasm',
      'tfjs-floor/wasm',
      'tfjs/cpu',
      'tfjs-idiomatic/cpu',
      'tfjs-floor/cpu',
    ]);
    expect(plan.targets.find((t) => t.label === 'tfjs-floor/cpu')).toMatchObject({ kind: 'floor', backend: 'tfjs-floor', baseline: true });
    expect(plan.targets.find((t) => t.label === 'tfjs-idiomatic/wasm')).toMatchObject({
      kind: 'idiomatic',
      backend: 'tfjs-idiomatic',
      baseline: true,
    });
    expect(plan.skipped.map((s) => s.label)).toEqual(['onnxruntime/cuda', 'tfjs/tensorflow', 'gpujs/*']);
    expect(plan.skipped[0]?.reason).toBe('no CUDA provider');
  });

  it('adds reference/float32 as a baseline unless told not to, or the registry has no reference backend', () => {
    expect(labels(planTargets(['onnxruntime'], STATUSES, true))).toEqual(['reference/float32', 'onnxruntime/cpu', 'onnxruntime-floor/cpu']);
    expect(planTargets(['onnxruntime'], STATUSES, true).targets[0]?.baseline).toBe(true);
    expect(labels(planTargets(['onnxruntime', 'tfjs/wasm'], STATUSES, false))).toEqual(['onnxruntime/cpu', 'tfjs/wasm']);
    const withoutReference = STATUSES.filter((s) => s.backend !== 'reference');
    expect(labels(planTargets(['onnxruntime'], withoutReference, true))).toEqual(['onnxruntime/cpu', 'onnxruntime-floor/cpu']);
  });

  it('adds the Python peers that can run last, and lists the others as not run, with the reason', () => {
    const peers = [
      { peer: 'numpy' as const, unavailable: undefined },
      { peer: 'pytorch' as const, unavailable: '/usr/bin/python3 has no torch module (Debian/Ubuntu: apt install python3-torch)' },
    ];
    const plan = planTargets(['reference/float64'], STATUSES, true, peers);
    expect(labels(plan)).toEqual(['reference/float32', 'reference/float64', 'numpy']);
    expect(plan.targets.at(-1)).toMatchObject({ kind: 'peer', backend: 'numpy', baseline: true });
    expect(plan.skipped).toEqual([{ label: 'pytorch', reason: peers[1]?.unavailable }]);
    expect(labels(planTargets(['reference/float64'], STATUSES, false, peers))).toEqual(['reference/float64']);
  });

  it('accepts the idiomatic baseline by name, on the engines of tfjs, and does not duplicate items', () => {
    const plan = planTargets(['tfjs-idiomatic', 'tfjs/wasm', 'tfjs/wasm'], STATUSES, false);
    expect(labels(plan)).toEqual(['tfjs-idiomatic/wasm', 'tfjs-idiomatic/cpu', 'tfjs/wasm']);
    expect(plan.targets.map((t) => t.kind)).toEqual(['idiomatic', 'idiomatic', 'adapter']);
  });

  it('names the baseline among the known backends when an item is unknown', () => {
    expect(() => planTargets(['nope'], STATUSES, true)).toThrow(
      /Unknown backend 'nope'. Known backends: reference, onnxruntime, tfjs, gpujs, tfjs-idiomatic, tfjs-floor, onnxruntime-floor/,
    );
  });

  it('leaves out, with the reason, a baseline not written for the model, even when asked for by name', () => {
    const plan = planTargets(['tfjs/wasm', 'tfjs-idiomatic/cpu'], STATUSES, true, [], 'lenet');
    expect(labels(plan)).toEqual(['reference/float32', 'tfjs/wasm', 'tfjs-floor/wasm']);
    expect(plan.skipped).toContainEqual({ label: 'tfjs-idiomatic/cpu', reason: IDIOMATIC_MODELS.otherwise });
    expect(plan.skipped).toContainEqual({ label: 'tfjs-idiomatic/wasm', reason: IDIOMATIC_MODELS.otherwise });
    expect(labels(planTargets(['tfjs/wasm'], STATUSES, true, [], 'softmax'))).toEqual([
      'reference/float32',
      'tfjs/wasm',
      'tfjs-idiomatic/wasm',
      'tfjs-floor/wasm',
    ]);
  });
});
