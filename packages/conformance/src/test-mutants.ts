/**
 * Deliberately broken backends for the mutation tests: reference/float32 wrapped so that one thing goes wrong, the
 * way a real adapter could get it wrong. Each must fail at least one parity check.
 */
import { adapter as referenceAdapter } from '@xbackend/backend-reference';
import type { Backend, BackendAdapter, Batch, CompiledModel, ModelSpec, ParameterTensor, StepHyperparameters } from '@xbackend/core';

type Wrap = (inner: CompiledModel, spec: ModelSpec) => CompiledModel;

const float32 = referenceAdapter.engines.find((e) => e.name === 'float32');

/** reference/float32 with every compiled model passed through `wrap`, under its own adapter name. */
export function mutantAdapter(name: string, wrap: Wrap): BackendAdapter {
  if (!float32) throw new Error('the reference adapter has no float32 engine');
  const base = float32;
  const adapterName = `reference-${name}`;
  return {
    name: adapterName,
    description: `reference/float32, broken: ${name}`,
    engines: [
      {
        name: 'float32',
        description: base.description,
        unavailableReason: () => base.unavailableReason(),
        async create(options): Promise<Backend> {
          const backend = await base.create(options);
          return {
            name: adapterName,
            engine: backend.engine,
            dtype: backend.dtype,
            details: backend.details,
            compile: async (spec, initial) => wrap(await backend.compile(spec, initial), spec),
            dispose: () => backend.dispose(),
          };
        },
      },
    ],
  };
}

/** The model unchanged except for the methods given. */
function override(inner: CompiledModel, methods: Partial<CompiledModel>): CompiledModel {
  return {
    trainStep: (b, h) => inner.trainStep(b, h),
    evaluate: (b) => inner.evaluate(b),
    logits: (b) => inner.logits(b),
    losses: (b) => inner.losses(b),
    readParameters: () => inner.readParameters(),
    writeParameters: (p) => inner.writeParameters(p),
    dispose: () => inner.dispose(),
    ...methods,
  };
}

/** Applies `change(before, after, hyper, batch)` to the parameters after each of the inner model's steps. */
function afterEachStep(
  inner: CompiledModel,
  change: (before: ParameterTensor, after: ParameterTensor, hyper: StepHyperparameters, batch: Batch) => ParameterTensor,
): CompiledModel {
  return override(inner, {
    async trainStep(batch, hyper) {
      const before = await inner.readParameters();
      const stats = await inner.trainStep(batch, hyper);
      const after = await inner.readParameters();
      await inner.writeParameters(after.map((p, i) => change(before[i] as ParameterTensor, p, hyper, batch)));
      return stats;
    },
  });
}

/** Batches smaller than the largest seen so far: the last, partial batch of an epoch. */
function partialBatches(): (batch: Batch) => boolean {
  let full = 0;
  return (batch) => {
    full = Math.max(full, batch.size);
    return batch.size < full;
  };
}

/** Rounds to the nearest IEEE half-precision value (11 significant bits, subnormals below 2^-14). */
export function toFloat16(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const magnitude = Math.abs(value);
  if (magnitude >= 65520) return Math.sign(value) * Number.POSITIVE_INFINITY;
  const ulp = 2 ** (Math.max(Math.floor(Math.log2(magnitude)), -14) - 10);
  return Math.sign(value) * Math.round(magnitude / ulp) * ulp;
}

/** `log Σ exp(z) − z_label` straight from the definition: overflows for large logits. */
function naiveCrossEntropy(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number): Float64Array {
  return Float64Array.from({ length: labels.length }, (_, r) => {
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[r * classes + c] as number);
    return Math.log(sum) - (logits[r * classes + (labels[r] as number)] as number);
  });
}

const sumOf = (values: Float64Array) => values.reduce((a, b) => a + b, 0);

/** Conv2d weights `[out, in, kH, kW]` with each kernel turned by 180° (its own inverse); other parameters unchanged. */
function flipKernels(params: readonly ParameterTensor[]): ParameterTensor[] {
  return params.map((p) => {
    if (p.shape.length !== 4) return p;
    const [kh, kw] = [p.shape[2] as number, p.shape[3] as number];
    const area = kh * kw;
    const data = p.data.map((_, i) => {
      const kernel = i - (i % area);
      const [y, x] = [Math.floor((i % area) / kw), i % kw];
      return p.data[kernel + (kh - 1 - y) * kw + (kw - 1 - x)] as number;
    });
    return { ...p, data };
  });
}

export interface Mutant {
  readonly name: string;
  readonly adapter: BackendAdapter;
}

function mutant(name: string, wrap: Wrap): Mutant {
  return { name, adapter: mutantAdapter(name.replaceAll(/\W+/g, '-'), wrap) };
}

/** The unbroken wrapper: proves that the mutants fail because of their mutation, not because of the wrapping. */
export const control = mutant('no mutation', (inner) => inner);

export const MUTANTS = {
  weightDecayIgnored: mutant('weight decay ignored', (inner) =>
    override(inner, { trainStep: (batch, hyper) => inner.trainStep(batch, { ...hyper, weightDecay: 0 }) }),
  ),

  biasGradientTimesBatchSize: mutant('bias gradient off by a factor of the batch size', (inner) =>
    afterEachStep(inner, (before, after, { lr, weightDecay }, batch) => {
      if (!before.name.endsWith('.bias')) return after;
      // Recover the gradient from the step, then redo the step with the gradient times n.
      const data = before.data.map((b, i) => {
        const gradient = (b - (after.data[i] as number)) / lr - weightDecay * b;
        return b - lr * (batch.size * gradient + weightDecay * b);
      });
      return { ...after, data };
    }),
  ),

  softmaxWithoutMaxSubtraction: mutant('softmax without the max subtraction', (inner, spec) => {
    const naive = async (batch: Batch) => naiveCrossEntropy(await inner.logits(batch), batch.y, spec.numClasses);
    return override(inner, {
      losses: naive,
      evaluate: async (batch) => ({ lossSum: sumOf(await naive(batch)), correct: (await inner.evaluate(batch)).correct }),
      trainStep: async (batch, hyper) => {
        const lossSum = sumOf(await naive(batch));
        return { ...(await inner.trainStep(batch, hyper)), lossSum };
      },
    });
  }),

  labelsOffByOneInLastPartialBatch: mutant('labels off by one in the last partial batch', (inner, spec) => {
    const isPartial = partialBatches();
    const shifted = (batch: Batch): Batch =>
      isPartial(batch) ? { ...batch, y: batch.y.map((label) => (label + 1) % spec.numClasses) } : batch;
    return override(inner, {
      trainStep: (batch, hyper) => inner.trainStep(shifted(batch), hyper),
      evaluate: (batch) => inner.evaluate(shifted(batch)),
      losses: (batch) => inner.losses(shifted(batch)),
    });
  }),

  lastPartialBatchDropped: mutant('the last partial batch dropped', (inner) => {
    const isPartial = partialBatches();
    // Reports the batch's loss as if it had trained on it, but never updates.
    return override(inner, { trainStep: (batch, hyper) => (isPartial(batch) ? inner.evaluate(batch) : inner.trainStep(batch, hyper)) });
  }),

  convolutionNotCrossCorrelation: mutant('a true convolution (kernels turned by 180°) instead of a cross-correlation', (inner) => {
    // The device holds every kernel turned; the host sees them as given, so only what the model computes is wrong.
    const turned = (async () => inner.writeParameters(flipKernels(await inner.readParameters())))();
    const after = <T>(run: () => Promise<T>) => turned.then(run);
    return override(inner, {
      trainStep: (batch, hyper) => after(() => inner.trainStep(batch, hyper)),
      evaluate: (batch) => after(() => inner.evaluate(batch)),
      logits: (batch) => after(() => inner.logits(batch)),
      losses: (batch) => after(() => inner.losses(batch)),
      readParameters: () => after(async () => flipKernels(await inner.readParameters())),
      writeParameters: (params) => after(() => inner.writeParameters(flipKernels(params))),
    });
  }),

  updateInFloat16: mutant('an update rounded to float16', (inner) =>
    afterEachStep(inner, (before, after) => ({
      ...after,
      data: after.data.map((w, i) => Math.fround((before.data[i] as number) + toFloat16(w - (before.data[i] as number)))),
    })),
  ),
} as const;
