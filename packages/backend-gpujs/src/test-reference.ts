/**
 * Test helper: a float64 host implementation of the Sequential forward pass and of one SGD step on the mean
 * softmax cross-entropy, written independently of the kernels (layer by layer, straight from the spec),
 * with core's reference numerics for softmax, cross-entropy and arg-max.
 */
import {
  type Batch,
  type LayerSpec,
  type ModelSpec,
  numerics,
  type ParameterTensor,
  type Rng,
  type StepHyperparameters,
} from '@xbackend/core';

export interface ReferenceStep {
  readonly params: ParameterTensor[];
  readonly lossSum: number;
  readonly correct: number;
}

function param(params: readonly ParameterTensor[], name: string): Float64Array {
  const p = params.find((q) => q.name === name);
  if (!p) throw new Error(`test: no parameter ${name}`);
  return Float64Array.from(p.data);
}

/** `a [n, in] · Wᵀ + b` with W `[out, in]`. */
function linear(a: Float64Array, n: number, w: Float64Array, b: Float64Array, inF: number, outF: number): Float64Array {
  const z = new Float64Array(n * outF);
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < outF; o++) {
      let s = b[o] as number;
      for (let k = 0; k < inF; k++) s += (a[i * inF + k] as number) * (w[o * inF + k] as number);
      z[i * outF + o] = s;
    }
  }
  return z;
}

/** Activations entering each layer (index i) and the model output (index layers.length). */
export function referenceForward(spec: ModelSpec, params: readonly ParameterTensor[], x: ArrayLike<number>, n: number): Float64Array[] {
  const acts: Float64Array[] = [Float64Array.from(x)];
  spec.layers.forEach((layer: LayerSpec, i) => {
    const a = acts[i] as Float64Array;
    if (layer.kind === 'linear') {
      acts.push(linear(a, n, param(params, `${i}.weight`), param(params, `${i}.bias`), layer.inFeatures, layer.outFeatures));
    } else if (layer.kind === 'relu') {
      acts.push(a.map((v) => Math.max(v, 0)));
    } else {
      acts.push(a);
    }
  });
  return acts;
}

export function referenceLogits(spec: ModelSpec, params: readonly ParameterTensor[], batch: Batch): Float64Array {
  return referenceForward(spec, params, batch.x, batch.size).at(-1) as Float64Array;
}

/** One SGD step on the mean cross-entropy: `w ← w − lr·(∂mean/∂w + weightDecay·w)`; loss and correct before it. */
export function referenceStep(
  spec: ModelSpec,
  params: readonly ParameterTensor[],
  batch: Batch,
  hyper: StepHyperparameters,
): ReferenceStep {
  const n = batch.size;
  const classes = spec.numClasses;
  const acts = referenceForward(spec, params, batch.x, n);
  const logits = acts.at(-1) as Float64Array;
  const losses = numerics.crossEntropy(logits, batch.y, classes);
  const probs = numerics.softmax(logits, n, classes);
  let grad = probs.map((p, idx) => (p - (batch.y[Math.floor(idx / classes)] === idx % classes ? 1 : 0)) / n);
  const updated = new Map<string, Float64Array>();
  for (let i = spec.layers.length - 1; i >= 0; i--) {
    const layer = spec.layers[i] as LayerSpec;
    const input = acts[i] as Float64Array;
    if (layer.kind === 'relu') {
      grad = grad.map((g, idx) => ((input[idx] as number) > 0 ? g : 0));
    } else if (layer.kind === 'linear') {
      const { inFeatures: inF, outFeatures: outF } = layer;
      const w = param(params, `${i}.weight`);
      const b = param(params, `${i}.bias`);
      const gradIn = new Float64Array(n * inF);
      const newW = new Float64Array(w.length);
      const newB = new Float64Array(b.length);
      for (let o = 0; o < outF; o++) {
        let gb = 0;
        for (let r = 0; r < n; r++) gb += grad[r * outF + o] as number;
        newB[o] = (b[o] as number) - hyper.lr * (gb + hyper.weightDecay * (b[o] as number));
        for (let k = 0; k < inF; k++) {
          let gw = 0;
          for (let r = 0; r < n; r++) gw += (grad[r * outF + o] as number) * (input[r * inF + k] as number);
          const wk = w[o * inF + k] as number;
          newW[o * inF + k] = wk - hyper.lr * (gw + hyper.weightDecay * wk);
        }
      }
      for (let r = 0; r < n; r++) {
        for (let k = 0; k < inF; k++) {
          let s = 0;
          for (let o = 0; o < outF; o++) s += (grad[r * outF + o] as number) * (w[o * inF + k] as number);
          gradIn[r * inF + k] = s;
        }
      }
      updated.set(`${i}.weight`, newW);
      updated.set(`${i}.bias`, newB);
      grad = gradIn;
    }
  }
  return {
    params: params.map((p) => ({ name: p.name, shape: [...p.shape], data: updated.get(p.name) ?? Float64Array.from(p.data) })),
    lossSum: numerics.sum(losses),
    correct: numerics.countCorrect(logits, batch.y, classes),
  };
}

/** Parameters drawn from N(0, std) (float32-rounded), biases too, so every term of the update is exercised. */
export function randomParameters(spec: ModelSpec, rng: Rng, std = 0.05): ParameterTensor[] {
  const out: ParameterTensor[] = [];
  spec.layers.forEach((layer, i) => {
    if (layer.kind !== 'linear') return;
    const draw = (length: number) => Float32Array.from({ length }, () => Math.fround(std * rng.normal()));
    out.push({ name: `${i}.weight`, shape: [layer.outFeatures, layer.inFeatures], data: draw(layer.outFeatures * layer.inFeatures) });
    out.push({ name: `${i}.bias`, shape: [layer.outFeatures], data: draw(layer.outFeatures) });
  });
  return out;
}

/** Uniform [0, 1) pixels and uniform labels. */
export function randomBatch(spec: ModelSpec, size: number, rng: Rng): Batch {
  const features = spec.inputShape.reduce((a, b) => a * b, 1);
  return {
    x: Float32Array.from({ length: size * features }, () => Math.fround(rng.uniform())),
    y: Int32Array.from({ length: size }, () => rng.int(0, spec.numClasses - 1)),
    size,
    sampleShape: spec.inputShape,
  };
}

/** Largest |actual − expected| / (atol + rtol·|expected|); ≤ 1 means within tolerance. */
export function toleranceRatio(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): number {
  if (actual.length !== expected.length) throw new Error(`test: length ${actual.length} vs ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i] as number;
    const error = Math.abs((actual[i] as number) - e);
    const ratio = error === 0 ? 0 : error / (atol + rtol * Math.abs(e));
    worst = Number.isNaN(ratio) ? Number.POSITIVE_INFINITY : Math.max(worst, ratio);
  }
  return worst;
}
