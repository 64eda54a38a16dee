/** Shared by the tests only (excluded from the build): data, a float64 reference SGD step, leak checks. */
import * as tf from '@tensorflow/tfjs-core';
import {
  type Backend,
  type Batch,
  type DataIter,
  type LayerSpec,
  type ModelSpec,
  numerics,
  type ParameterTensor,
  parameterShapes,
  Rng,
  type StepHyperparameters,
  sizeOf,
} from '@xbackend/core';
import { expect } from 'vitest';
import { adapter } from './adapter.js';

export const ENGINE_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;

/** Tensors tracked by tfjs's global engine (all backends); reading it initialises nothing. */
export function tensorCount(): number {
  return tf.engine().state.numTensors;
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

export function randomParams(layers: readonly LayerSpec[], seed: number, scale = 0.3): ParameterTensor[] {
  const rng = Rng.seeded(seed, 'params');
  return parameterShapes(layers).map(({ name, shape }) => ({
    name,
    shape,
    data: Float32Array.from({ length: sizeOf(shape) }, () => scale * rng.normal()),
  }));
}

export function randomBatch(size: number, sampleShape: readonly number[], numClasses: number, seed: number): Batch {
  const rng = Rng.seeded(seed, 'batch');
  return {
    x: Float32Array.from({ length: size * sizeOf(sampleShape) }, () => rng.uniform()),
    y: Int32Array.from({ length: size }, () => rng.int(0, numClasses - 1)),
    size,
    sampleShape,
  };
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

export interface ReferenceStep {
  readonly logits: Float64Array;
  readonly losses: Float64Array;
  readonly lossSum: number;
  readonly correct: number;
  /** Parameters after the update `w ← w − lr·(∂mean/∂w + wd·w)`. */
  readonly params: ParameterTensor[];
}

/** Cross-entropy with the max subtracted before the label is picked: exact (log C) even for rows of equal ±3e38. */
export function stableCrossEntropy(logits: ArrayLike<number>, labels: ArrayLike<number>, cols: number): Float64Array {
  return Float64Array.from({ length: labels.length }, (_, i) => {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < cols; j++) max = Math.max(max, logits[i * cols + j] as number);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp((logits[i * cols + j] as number) - max);
    return Math.log(sum) + (max - (logits[i * cols + (labels[i] as number)] as number));
  });
}

/** One SGD step of a Sequential in float64 on the host: forward, mean softmax cross-entropy, backward, update. */
export function referenceStep(
  spec: ModelSpec,
  params: readonly ParameterTensor[],
  batch: Batch,
  hyper: StepHyperparameters,
): ReferenceStep {
  const p = new Map(params.map((q) => [q.name, Float64Array.from(q.data)]));
  const n = batch.size;
  const C = spec.numClasses;
  const tape: { index: number; kind: 'linear' | 'relu'; input: Float64Array; inF: number; outF: number }[] = [];
  let a = Float64Array.from(batch.x);
  let width = sizeOf(spec.inputShape);
  spec.layers.forEach((layer, index) => {
    if (layer.kind === 'linear') {
      const w = p.get(`${index}.weight`) as Float64Array;
      const b = p.get(`${index}.bias`) as Float64Array;
      const z = new Float64Array(n * layer.outFeatures);
      for (let r = 0; r < n; r++) {
        for (let o = 0; o < layer.outFeatures; o++) {
          let s = b[o] as number;
          for (let k = 0; k < layer.inFeatures; k++) s += (a[r * width + k] as number) * (w[o * layer.inFeatures + k] as number);
          z[r * layer.outFeatures + o] = s;
        }
      }
      tape.push({ index, kind: 'linear', input: a, inF: layer.inFeatures, outF: layer.outFeatures });
      a = z;
      width = layer.outFeatures;
    } else if (layer.kind === 'relu') {
      tape.push({ index, kind: 'relu', input: a, inF: width, outF: width });
      a = a.map((v) => Math.max(v, 0));
    }
  });
  const logits = a;
  const losses = stableCrossEntropy(logits, batch.y, C);
  let g = numerics.softmax(logits, n, C);
  for (let r = 0; r < n; r++) g[r * C + (batch.y[r] as number)] = (g[r * C + (batch.y[r] as number)] as number) - 1;
  g = g.map((v) => v / n);
  const grads = new Map<string, Float64Array>();
  for (const step of [...tape].reverse()) {
    if (step.kind === 'relu') {
      g = g.map((v, i) => ((step.input[i] as number) > 0 ? v : 0));
      continue;
    }
    const w = p.get(`${step.index}.weight`) as Float64Array;
    const dw = new Float64Array(step.outF * step.inF);
    const db = new Float64Array(step.outF);
    const gIn = new Float64Array(n * step.inF);
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < step.outF; o++) {
        const go = g[r * step.outF + o] as number;
        db[o] = (db[o] as number) + go;
        for (let k = 0; k < step.inF; k++) {
          dw[o * step.inF + k] = (dw[o * step.inF + k] as number) + go * (step.input[r * step.inF + k] as number);
          gIn[r * step.inF + k] = (gIn[r * step.inF + k] as number) + go * (w[o * step.inF + k] as number);
        }
      }
    }
    grads.set(`${step.index}.weight`, dw);
    grads.set(`${step.index}.bias`, db);
    g = gIn;
  }
  const updated = params.map((q) => {
    const value = p.get(q.name) as Float64Array;
    const grad = grads.get(q.name) as Float64Array;
    return { name: q.name, shape: [...q.shape], data: value.map((v, i) => v - hyper.lr * ((grad[i] as number) + hyper.weightDecay * v)) };
  });
  return { logits, losses, lossSum: numerics.sum(losses), correct: numerics.countCorrect(logits, batch.y, C), params: updated };
}

/** |actual − expected| ≤ abs + rel·|expected| elementwise, naming the first offending index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { abs: number; rel: number }, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    if (!(Math.abs(a - e) <= tol.abs + tol.rel * Math.abs(e)))
      expect.fail(`${what}[${i}] = ${a}, expected ${e} (±${tol.abs} + ${tol.rel}·|e|)`);
  }
}

export function expectParamsClose(
  actual: readonly ParameterTensor[],
  expected: readonly ParameterTensor[],
  tol: { abs: number; rel: number },
): void {
  expect(actual.map((p) => p.name)).toEqual(expected.map((p) => p.name));
  actual.forEach((p, i) => {
    const e = expected[i] as ParameterTensor;
    expect(p.shape).toEqual(e.shape);
    expectClose(p.data, e.data, tol, p.name);
  });
}
