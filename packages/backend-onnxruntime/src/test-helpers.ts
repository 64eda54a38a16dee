/** Test-only helpers: seeded data, a float64 host reference of one SGD step, and specs. Not part of the build. */
import {
  type Batch,
  type LayerSpec,
  type ModelSpec,
  numerics,
  type ParameterTensor,
  parameterShapes,
  Rng,
  type StepHyperparameters,
} from '@xbackend/core';

export const softmaxRegression: ModelSpec = {
  layers: [{ kind: 'flatten' }, { kind: 'linear', inFeatures: 12, outFeatures: 5 }],
  inputShape: [1, 3, 4],
  numClasses: 5,
};

/** The concise MLP of the book's §5 shape, scaled down: Flatten, Linear, ReLU, Linear. */
export function mlp(inputShape: readonly number[], hidden: number, classes: number): ModelSpec {
  const features = inputShape.reduce((a, b) => a * b, 1);
  return {
    layers: [
      { kind: 'flatten' },
      { kind: 'linear', inFeatures: features, outFeatures: hidden },
      { kind: 'relu' },
      { kind: 'linear', inFeatures: hidden, outFeatures: classes },
    ],
    inputShape,
    numClasses: classes,
  };
}

/** Seeded N(0, std) weights and small random biases, float32-representable so every dtype starts identical. */
export function randomParameters(spec: ModelSpec, seed: number, std = 0.3): ParameterTensor[] {
  const rng = Rng.seeded(seed, 'params');
  return parameterShapes(spec.layers).map(({ name, shape }) => ({
    name,
    shape,
    data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.fround(std * rng.normal())),
  }));
}

export function randomBatch(spec: ModelSpec, size: number, seed: number): Batch {
  const rng = Rng.seeded(seed, 'batch');
  const features = spec.inputShape.reduce((a, b) => a * b, 1);
  return {
    x: Float32Array.from({ length: size * features }, () => rng.uniform()),
    y: Int32Array.from({ length: size }, () => rng.int(0, spec.numClasses - 1)),
    size,
    sampleShape: spec.inputShape,
  };
}

interface HostLayerCache {
  readonly input: Float64Array;
  readonly output: Float64Array;
}

/** Float64 forward pass on the host; returns logits and each layer's input/output for the backward pass. */
export function hostForward(
  spec: ModelSpec,
  params: readonly ParameterTensor[],
  x: ArrayLike<number>,
  rows: number,
): { logits: Float64Array; caches: HostLayerCache[] } {
  const byName = new Map(params.map((p) => [p.name, p.data]));
  let h = Float64Array.from(x);
  const caches: HostLayerCache[] = [];
  spec.layers.forEach((layer: LayerSpec, i) => {
    const input = h;
    if (layer.kind === 'linear') {
      const w = byName.get(`${i}.weight`) as ArrayLike<number>;
      const b = byName.get(`${i}.bias`) as ArrayLike<number>;
      const out = new Float64Array(rows * layer.outFeatures);
      for (let r = 0; r < rows; r++) {
        for (let o = 0; o < layer.outFeatures; o++) {
          let s = b[o] as number;
          for (let k = 0; k < layer.inFeatures; k++)
            s += (input[r * layer.inFeatures + k] as number) * (w[o * layer.inFeatures + k] as number);
          out[r * layer.outFeatures + o] = s;
        }
      }
      h = out;
    } else if (layer.kind === 'relu') {
      h = input.map((v) => Math.max(v, 0));
    }
    caches.push({ input, output: h });
  });
  return { logits: h, caches };
}

/** One SGD step on the mean cross-entropy, in float64 on the host (core numerics for the loss). */
export function hostTrainStep(
  spec: ModelSpec,
  params: readonly ParameterTensor[],
  batch: Batch,
  hyper: StepHyperparameters,
): { params: ParameterTensor[]; lossSum: number; correct: number } {
  const n = batch.size;
  const classes = spec.numClasses;
  const { logits, caches } = hostForward(spec, params, batch.x, n);
  const lossSum = numerics.sum(numerics.crossEntropy(logits, batch.y, classes));
  const correct = numerics.countCorrect(logits, batch.y, classes);
  // ∂mean/∂logits = (softmax − onehot) / n
  let grad = numerics.softmax(logits, n, classes);
  for (let r = 0; r < n; r++) grad[r * classes + (batch.y[r] as number)] = (grad[r * classes + (batch.y[r] as number)] as number) - 1;
  grad = grad.map((v) => v / n);
  const grads = new Map<string, Float64Array>();
  for (let i = spec.layers.length - 1; i >= 0; i--) {
    const layer = spec.layers[i] as LayerSpec;
    const cache = caches[i] as HostLayerCache;
    if (layer.kind === 'linear') {
      const w = params.find((p) => p.name === `${i}.weight`)?.data as ArrayLike<number>;
      const gw = new Float64Array(layer.outFeatures * layer.inFeatures);
      const gb = new Float64Array(layer.outFeatures);
      const gIn = new Float64Array(n * layer.inFeatures);
      for (let r = 0; r < n; r++) {
        for (let o = 0; o < layer.outFeatures; o++) {
          const go = grad[r * layer.outFeatures + o] as number;
          gb[o] = (gb[o] as number) + go;
          for (let k = 0; k < layer.inFeatures; k++) {
            gw[o * layer.inFeatures + k] =
              (gw[o * layer.inFeatures + k] as number) + go * (cache.input[r * layer.inFeatures + k] as number);
            gIn[r * layer.inFeatures + k] = (gIn[r * layer.inFeatures + k] as number) + go * (w[o * layer.inFeatures + k] as number);
          }
        }
      }
      grads.set(`${i}.weight`, gw);
      grads.set(`${i}.bias`, gb);
      grad = gIn;
    } else if (layer.kind === 'relu') {
      grad = grad.map((v, k) => ((cache.input[k] as number) > 0 ? v : 0));
    }
  }
  const next = params.map((p) => {
    const g = grads.get(p.name) as Float64Array;
    return {
      name: p.name,
      shape: p.shape,
      data: Float64Array.from(p.data, (w, k) => w - hyper.lr * ((g[k] as number) + hyper.weightDecay * w)),
    };
  });
  return { params: next, lossSum, correct };
}

/** Largest `|a − b| / (atol + rtol·|b|)`; ≤ 1 means within tolerance. */
export function maxScaledError(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const err = Math.abs((actual[i] as number) - e) / (atol + rtol * Math.abs(e));
    worst = Math.max(worst, Number.isNaN(err) ? Number.POSITIVE_INFINITY : err);
  }
  return worst;
}
