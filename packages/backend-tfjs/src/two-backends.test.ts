import * as tf from '@tensorflow/tfjs-core';
import type { ModelSpec } from '@xbackend/core';
import { describe, expect, it } from 'vitest';
import { createEngine, expectParamsClose, randomBatch, randomParams, referenceStep, tensorCount } from './test-helpers.js';

const spec: ModelSpec = {
  layers: [
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 12, outFeatures: 6 },
    { kind: 'relu' },
    { kind: 'linear', inFeatures: 6, outFeatures: 3 },
  ],
  inputShape: [3, 4],
  numClasses: 3,
};

/** Data buffers held by one tfjs backend: constant if no tensor of another engine strays onto it. */
function buffersOn(name: string): number {
  const backend = tf.findBackend(name);
  if (!backend) throw new Error(`tfjs backend ${name} is not initialised`);
  return backend.numDataIds();
}

describe('two backends in one process', () => {
  it('wasm and cpu train side by side, interleaved, each on its own tfjs backend', async () => {
    const baseline = tensorCount();
    const [wasm, cpu, cpu2] = [await createEngine('wasm'), await createEngine('cpu'), await createEngine('cpu')];
    const params = randomParams(spec.layers, 21);
    const wasmBefore = buffersOn('wasm');
    const cpuBefore = buffersOn('cpu');
    const models = await Promise.all([wasm.compile(spec, params), cpu.compile(spec, params), cpu2.compile(spec, params)]);
    // Each model holds its 4 parameters on its own backend; training adds the optimizer's learning-rate scalar.
    expect(buffersOn('wasm')).toBe(wasmBefore + 4);
    expect(buffersOn('cpu')).toBe(cpuBefore + 8);
    const batches = [0, 1, 2, 3].map((i) => randomBatch(i === 3 ? 5 : 8, spec.inputShape, 3, 30 + i));
    const hyper = { lr: 0.4, weightDecay: 0.01 };
    await Promise.all(models.map((m) => m.trainStep(batches[0] as (typeof batches)[0], hyper)));

    let expected = referenceStep(spec, params, batches[0] as (typeof batches)[0], hyper).params;
    for (const batch of batches.slice(1)) {
      const step = referenceStep(spec, expected, batch, hyper);
      // All three at once: the queue serialises them and each call switches tfjs to its own backend.
      const [a, b, c] = await Promise.all([...models.map((m) => m.trainStep(batch, hyper)), ...models.map((m) => m.evaluate(batch))]);
      for (const stats of [a, b, c]) {
        expect(stats?.lossSum).toBeCloseTo(step.lossSum, 4);
        expect(stats?.correct).toBe(step.correct);
      }
      expected = step.params;
    }
    const [pw, pc, pc2] = await Promise.all(models.map((m) => m.readParameters()));
    for (const p of [pw, pc, pc2]) expectParamsClose(p ?? [], expected, { abs: 1e-5, rel: 1e-4 });
    // Had a call run while another engine was active, tfjs would have moved parameters across backends.
    expect(buffersOn('wasm')).toBe(wasmBefore + 5);
    expect(buffersOn('cpu')).toBe(cpuBefore + 10);

    // Disposing one cpu Backend leaves the other (same tfjs backend) working.
    await cpu2.dispose();
    await expect(models[1]?.evaluate(batches[0] as (typeof batches)[0])).resolves.toBeDefined();
    await Promise.all([wasm.dispose(), cpu.dispose()]);
    expect(tensorCount()).toBe(baseline);
  });
});
