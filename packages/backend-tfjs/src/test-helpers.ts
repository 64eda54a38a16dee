/** tfjs-only test helpers (excluded from the build): the global tensor count, engines by name, separable data. */
import * as tf from '@tensorflow/tfjs-core';
import {
  type Backend,
  type Batch,
  type CompiledModel,
  type DataIter,
  type EngineFactory,
  type ModelSpec,
  type ParameterTensor,
  Rng,
  sizeOf,
} from '@xbackend/core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { adapter } from './adapter.js';

/** Tensors tracked by tfjs's global engine (all backends); reading it initialises nothing. */
export function tensorCount(): number {
  return tf.engine().state.numTensors;
}

export interface EngineFixture {
  /** The engine's Backend, created once for the describe block. */
  readonly backend: () => Backend;
  /** Compiles `spec`, runs `use` on the model and disposes it, whatever happens. */
  withModel<T>(spec: ModelSpec, params: readonly ParameterTensor[], use: (model: CompiledModel) => Promise<T>): Promise<T>;
}

/** Inside a describe block: one Backend of `engine` for the block, and a leak check around every test (each disposes what it compiles). */
export function engineFixture(engine: EngineFactory): EngineFixture {
  let backend: Backend | undefined;
  let before = 0;
  beforeAll(async () => {
    backend = await engine.create({});
  });
  afterAll(async () => {
    await backend?.dispose();
  });
  beforeEach(() => {
    before = tensorCount();
  });
  afterEach(() => {
    expect(tensorCount(), 'tensors left behind by this test').toBe(before);
  });
  const current = (): Backend => {
    if (!backend) throw new Error(`the ${engine.name} backend has not been created yet`);
    return backend;
  };
  return {
    backend: current,
    async withModel(spec, params, use) {
      const model = await current().compile(spec, params);
      try {
        return await use(model);
      } finally {
        await model.dispose();
      }
    },
  };
}

/** Why an engine cannot run here (`undefined` when it can). */
export async function engineUnavailable(name: string): Promise<string | undefined> {
  const engine = adapter.engines.find((e) => e.name === name);
  if (!engine) throw new Error(`no engine ${name}`);
  return engine.unavailableReason();
}

export async function createEngine(name: string): Promise<Backend> {
  const engine = adapter.engines.find((e) => e.name === name);
  if (!engine) throw new Error(`no engine ${name}`);
  return engine.create({});
}

/** Class k lights up its own block of features (plus faint noise everywhere): linearly separable, like sparse images. */
export function separableBatches(count: number, size: number, sampleShape: readonly number[], numClasses: number, seed: number): Batch[] {
  const features = sizeOf(sampleShape);
  const block = Math.floor(features / numClasses);
  const rng = Rng.seeded(seed, 'examples');
  return Array.from({ length: count }, () => {
    const y = Int32Array.from({ length: size }, () => rng.int(0, numClasses - 1));
    const x = Float32Array.from({ length: size * features }, () => 0.2 * rng.uniform());
    y.forEach((label, n) => {
      for (let k = label * block; k < (label + 1) * block; k++) x[n * features + k] = 0.5 + 0.5 * rng.uniform();
    });
    return { x, y, size, sampleShape };
  });
}

/** A DataIter over fixed batches; epoch `e` yields them rotated by `e`, so the order differs between epochs. */
export function fixedDataIter(batches: readonly Batch[], numClasses: number): DataIter {
  const first = batches[0];
  if (!first) throw new Error('fixedDataIter needs at least one batch');
  let nextEpoch = 0;
  const epoch = (e: number, from = 0): Batch[] => batches.map((_, i) => batches[(i + e) % batches.length] as Batch).slice(from);
  return {
    numExamples: batches.reduce((n, b) => n + b.size, 0),
    batchSize: first.size,
    numBatches: batches.length,
    sampleShape: first.sampleShape,
    numClasses,
    epoch,
    [Symbol.iterator]: () => epoch(nextEpoch++)[Symbol.iterator](),
  };
}
