import * as tf from '@tensorflow/tfjs-core';
import { mlpSpec, randomBatch, randomParameters, referenceTrajectory, relativeError, updateError } from '@xbackend/conformance';
import { describe, expect, it } from 'vitest';
import { createEngine, tensorCount } from './test-helpers.js';

const spec = mlpSpec([3, 4], [6], 3);

/** float32 against the float64 oracle over four steps, relative to the loss / to how far the weights moved; measured 1.4e-7. */
const F32 = 1e-6;

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
    const params = randomParameters(spec, 21);
    const wasmBefore = buffersOn('wasm');
    const cpuBefore = buffersOn('cpu');
    const models = await Promise.all([wasm.compile(spec, params), cpu.compile(spec, params), cpu2.compile(spec, params)]);
    // Each model holds its 4 parameters on its own backend; training adds the optimizer's learning-rate scalar.
    expect(buffersOn('wasm')).toBe(wasmBefore + 4);
    expect(buffersOn('cpu')).toBe(cpuBefore + 8);
    const batches = [0, 1, 2, 3].map((i) => randomBatch(spec, i === 3 ? 5 : 8, 30 + i));
    const hyper = { lr: 0.4, weightDecay: 0.01 };
    const expected = await referenceTrajectory(
      spec,
      params,
      batches.map((batch) => ({ batch, hyper })),
    );
    await Promise.all(models.map((m) => m.trainStep(batches[0] as (typeof batches)[0], hyper)));
    for (const [k, batch] of batches.slice(1).entries()) {
      const want = expected.stats[k + 1];
      // All three at once: the queue serialises them and each call switches tfjs to its own backend.
      const [a, b, c] = await Promise.all([...models.map((m) => m.trainStep(batch, hyper)), ...models.map((m) => m.evaluate(batch))]);
      for (const stats of [a, b, c]) {
        expect(relativeError(stats?.lossSum ?? Number.NaN, want?.lossSum ?? Number.NaN)).toBeLessThanOrEqual(F32);
        expect(stats?.correct).toBe(want?.correct);
      }
    }
    const [pw, pc, pc2] = await Promise.all(models.map((m) => m.readParameters()));
    for (const p of [pw, pc, pc2]) expect(updateError(p ?? [], expected.params.at(-1) ?? [], params)).toBeLessThanOrEqual(F32);
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
