import type { EngineStatus } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { planBrowserTargets } from './browser-targets.js';

/** What the page lists in a browser without a WebGPU GPU adapter (the reasons shortened). */
const STATUSES: EngineStatus[] = [
  { backend: 'onnxruntime', engine: 'wasm', available: true, description: 'onnxruntime-web wasm' },
  { backend: 'tfjs', engine: 'webgpu', available: false, description: 'tfjs webgpu', reason: 'no WebGPU GPU adapter; use engine wasm.' },
  { backend: 'tfjs', engine: 'wasm', available: true, description: 'tfjs wasm' },
  { backend: 'tfjs', engine: 'cpu', available: true, description: 'tfjs cpu' },
];

describe('planBrowserTargets', () => {
  it("'all': every engine the page lists, the unavailable ones as skipped rows with the page's reason", () => {
    const plan = planBrowserTargets('all', STATUSES);
    expect(plan.targets.map((t) => [t.label, t.kind, t.backend, t.engine])).toEqual([
      ['browser:onnxruntime/wasm', 'browser', 'onnxruntime', 'wasm'],
      ['browser:tfjs/wasm', 'browser', 'tfjs', 'wasm'],
      ['browser:tfjs/cpu', 'browser', 'tfjs', 'cpu'],
    ]);
    expect(plan.skipped).toEqual([{ label: 'browser:tfjs/webgpu', reason: 'no WebGPU GPU adapter; use engine wasm.' }]);
  });

  it('a name stands for each of its engines, in the order asked; an engine named twice runs once', () => {
    const plan = planBrowserTargets(['tfjs/cpu', 'tfjs', 'onnxruntime'], STATUSES);
    expect(plan.targets.map((t) => t.label)).toEqual(['browser:tfjs/cpu', 'browser:tfjs/wasm', 'browser:onnxruntime/wasm']);
    expect(plan.skipped.map((s) => s.label)).toEqual(['browser:tfjs/webgpu']);
  });

  it('an item the page does not offer is an error that lists what it offers', () => {
    expect(() => planBrowserTargets(['tfjs/webgl2'], STATUSES)).toThrow(
      "--browser item 'tfjs/webgl2' is not an engine of the playground page in this browser; it offers onnxruntime/wasm, tfjs/webgpu, tfjs/wasm, tfjs/cpu.",
    );
  });
});
