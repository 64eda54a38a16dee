import { describe, expect, it } from 'vitest';
import type { Backend, BackendAdapter, BatchStats, CompiledModel, EngineFactory } from './backend.js';
import type { Batch, DataIter } from './batch.js';
import { loadBackend } from './load-backend.js';
import type { ProfilePhase, Profiler } from './profile.js';
import { evaluateAccuracy, trainEpochCh3 } from './train.js';

/**
 * A complete backend whose model predicts class 0 for every example and never changes, so accuracy is the share of
 * label-0 examples; it records the size of every batch it evaluates. Enough to test core's loop, which is what runs
 * here: every real adapter is tested with core's loop by the conformance suite.
 */
function classZeroAdapter(evalBatchSize: number | undefined, evaluated: number[]): BackendAdapter {
  const stats = (batch: Batch): BatchStats => ({ lossSum: batch.size, correct: batch.y.filter((label) => label === 0).length });
  const model: CompiledModel = {
    trainStep: async (batch) => stats(batch),
    evaluate: async (batch) => {
      evaluated.push(batch.size);
      return stats(batch);
    },
    logits: async (batch) => new Float32Array(batch.size * 3),
    losses: async (batch) => new Float32Array(batch.size),
    readParameters: async () => [],
    writeParameters: async () => {},
    dispose: async () => {},
  };
  const backend: Backend = {
    name: 'class-zero',
    engine: 'host',
    dtype: 'float32',
    details: {},
    ...(evalBatchSize === undefined ? {} : { evalBatchSize }),
    compile: async () => model,
    dispose: async () => {},
  };
  return {
    name: 'class-zero',
    description: '',
    engines: [{ name: 'host', description: '', unavailableReason: async () => undefined, create: async () => backend }],
  };
}

/** 23 examples of 2 features in batches of `batchSize`; labels cycle 0, 1, 2. Can re-batch unless told not to. */
function dataIter(batchSize: number, rebatch = true): DataIter {
  const count = 23;
  const batches = (size: number): Batch[] =>
    Array.from({ length: Math.ceil(count / size) }, (_, b) => {
      const n = Math.min(size, count - b * size);
      return { x: new Float32Array(n * 2), y: Int32Array.from({ length: n }, (_, k) => (b * size + k) % 3), size: n, sampleShape: [2] };
    });
  const iter: DataIter = {
    numExamples: count,
    batchSize,
    numBatches: Math.ceil(count / batchSize),
    sampleShape: [2],
    numClasses: 3,
    epoch: (_e, from = 0) => batches(batchSize).slice(from),
    [Symbol.iterator]: () => batches(batchSize)[Symbol.iterator](),
    ...(rebatch ? { withBatchSize: (size: number) => dataIter(size, false) } : {}),
  };
  return iter;
}

/** Records the phases core reports, with their nesting depth. */
function recorder(): Profiler & { calls: string[] } {
  let depth = 0;
  const calls: string[] = [];
  return {
    calls,
    time<T>(phase: ProfilePhase, work: () => T): T {
      calls.push(`${'  '.repeat(depth)}${phase}`);
      depth++;
      const result = work();
      if (result instanceof Promise) return result.finally(() => depth--) as T;
      depth--;
      return result;
    },
  };
}

async function model(evalBatchSize: number | undefined, evaluated: number[], profiler?: Profiler) {
  const loaded = await loadBackend(classZeroAdapter(evalBatchSize, evaluated), profiler ? { profiler } : {});
  const net = loaded.nn.Sequential(loaded.nn.Flatten(), loaded.nn.Linear(2, 3));
  return { loaded, net };
}

describe('evaluateAccuracy', () => {
  it("evaluates in the backend's preferred batch size where the iterator can re-batch, with the same accuracy", async () => {
    const evaluated: number[] = [];
    const { net } = await model(10, evaluated);
    expect(await evaluateAccuracy(net, dataIter(5))).toBe(8 / 23);
    expect(evaluated).toEqual([10, 10, 3]);
  });

  it("keeps the iterator's batches when the backend states no preference, or the iterator cannot re-batch", async () => {
    const evaluated: number[] = [];
    const { net } = await model(undefined, evaluated);
    expect(await evaluateAccuracy(net, dataIter(5))).toBe(8 / 23);
    const other = await model(10, evaluated);
    expect(await evaluateAccuracy(other.net, dataIter(5, false))).toBe(8 / 23);
    expect(evaluated).toEqual([5, 5, 5, 5, 3, 5, 5, 5, 5, 3]);
  });
});

describe('the profiling hook', () => {
  it('times each draw of a batch as data and each step as compute, and a whole evaluation as eval', async () => {
    const profiler = recorder();
    const { loaded, net } = await model(100, [], profiler);
    const sgd = loaded.optim.SGD(net.parameters(), { lr: 0.1 });
    await trainEpochCh3(net, dataIter(10), loaded.loss.CrossEntropyLoss(), sgd, 0);
    // Three batches, then the draw that finds the pass exhausted.
    expect(profiler.calls).toEqual(['data', 'compute', 'data', 'compute', 'data', 'compute', 'data']);
    profiler.calls.length = 0;
    await evaluateAccuracy(net, dataIter(10));
    expect(profiler.calls).toEqual(['eval']);
  });

  it('gathers the pixels of a batch that has a source as data, unless the backend gathers its rows itself', async () => {
    for (const readsBatchSource of [false, true]) {
      const adapter = classZeroAdapter(undefined, []);
      const created = await adapter.engines[0]?.create({});
      const loaded = await loadBackend(
        {
          ...adapter,
          engines: [{ ...(adapter.engines[0] as EngineFactory), create: async () => ({ ...(created as Backend), readsBatchSource }) }],
        },
        { profiler: recorder() },
      );
      const net = loaded.nn.Sequential(loaded.nn.Flatten(), loaded.nn.Linear(2, 3));
      let gathered = 0;
      const batch: Batch = {
        get pixels() {
          gathered++;
          return new Uint8Array(4);
        },
        source: { bytes: new Uint8Array(8), index: Int32Array.of(3, 1) },
        x: new Float32Array(4),
        y: Int32Array.of(0, 1),
        size: 2,
        sampleShape: [2],
      };
      const iter: DataIter = { ...dataIter(2), epoch: () => [batch] };
      await trainEpochCh3(net, iter, loaded.loss.CrossEntropyLoss(), loaded.optim.SGD(net.parameters(), { lr: 0.1 }), 0);
      expect(gathered, `readsBatchSource ${readsBatchSource}`).toBe(readsBatchSource ? 0 : 1);
    }
  });

  it('costs nothing when there is none: the loop runs the same without it', async () => {
    const { loaded, net } = await model(undefined, []);
    expect(net.profiler).toBeUndefined();
    const sgd = loaded.optim.SGD(net.parameters(), { lr: 0.1 });
    expect(await trainEpochCh3(net, dataIter(10), loaded.loss.CrossEntropyLoss(), sgd, 0)).toEqual({ trainLoss: 1, trainAcc: 8 / 23 });
  });
});
