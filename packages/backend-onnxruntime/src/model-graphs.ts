/**
 * The three graphs built from a ModelSpec: the training step (forward, loss, autodiff gradients, SGD update), the
 * evaluation graph (logits, per-example losses, loss sum, correct count) and the plain inference graph for export.
 */
import { type DType, describeLayer, type LayerSpec, type ModelSpec, parameterShapes, UnsupportedLayerError } from '@xbackend/core';
import { gradients } from './autodiff.js';
import { type Dim, GraphBuilder, type Value } from './graph.js';
import * as op from './ops.js';

/** Graph input and output names shared by the graphs and the code that feeds them. */
export const NAMES = {
  x: 'x',
  pixels: 'pixels',
  /** A batch's source: every example's bytes, and the rows of the batch. */
  sourceBytes: 'source_bytes',
  sourceIndex: 'source_index',
  y: 'y',
  lr: 'lr',
  weightDecay: 'weight_decay',
  logits: 'logits',
  losses: 'losses',
  lossSum: 'loss_sum',
  correct: 'correct',
  images: 'images',
  probabilities: 'probabilities',
  /** The updated value of parameter `name`. */
  next: (name: string) => `${name}.next`,
} as const;

/** Symbolic batch dimension: one session serves full and partial batches. */
export const BATCH_DIM = 'N';

/** Layers whose ONNX ops (Conv, ConvTranspose, AveragePool) onnxruntime's CPU kernels compute in float32 only. */
const FLOAT32_ONLY: readonly LayerSpec['kind'][] = ['conv2d', 'avgpool2d'];

/**
 * Checks every layer before any graph is built (core has validated the spec), naming the first one the graphs here
 * cannot compute in `dtype`.
 */
export function checkLayers(spec: ModelSpec, dtype: DType): void {
  spec.layers.forEach((layer, i) => {
    if (dtype === 'float64' && FLOAT32_ONLY.includes(layer.kind)) {
      throw new UnsupportedLayerError(
        'onnxruntime',
        `${i} (${describeLayer(layer)}) in float64`,
        "onnxruntime's CPU kernels for Conv, ConvTranspose and AveragePool exist for float32 only; use dtype 'float32' (backend 'reference' computes it in float64)",
      );
    }
  });
}

export interface ForwardOptions {
  /** Whether a MaxPool also outputs where each max is, which the training graph's gradient reuses. */
  readonly maxPoolIndices?: boolean;
}

/** Sequential forward pass; `params` maps `${i}.weight` / `${i}.bias` to graph values. */
export function forward(
  g: GraphBuilder,
  spec: ModelSpec,
  x: Value,
  params: ReadonlyMap<string, Value>,
  options: ForwardOptions = {},
): Value {
  let h = x;
  const parameters = (i: number): [Value, Value] => {
    const weight = params.get(`${i}.weight`);
    const bias = params.get(`${i}.bias`);
    if (!weight || !bias) throw new Error(`internal: no parameters for layer ${i}`);
    return [weight, bias];
  };
  spec.layers.forEach((layer, i) => {
    h = g.scoped(`layer${i}.${layer.kind}`, () => {
      switch (layer.kind) {
        case 'flatten':
          return op.flatten(g, h, 1);
        case 'relu':
          return op.relu(g, h);
        case 'sigmoid':
          return op.sigmoid(g, h);
        case 'linear': {
          const [weight, bias] = parameters(i);
          // Weights are [out, in] (PyTorch layout): Gemm with transB computes h·Wᵀ + b in one op.
          return op.gemm(g, h, weight, bias, { transB: true });
        }
        case 'conv2d': {
          // ONNX's Conv is PyTorch's: a cross-correlation with OIHW weights over NCHW batches.
          const [weight, bias] = parameters(i);
          return op.conv(g, h, weight, bias, { strides: layer.stride, pads: op.symmetricPads(layer.padding) });
        }
        case 'avgpool2d':
          return op.averagePool(g, h, { kernel: layer.kernelSize, strides: layer.stride });
        case 'maxpool2d':
          return op.maxPool(g, h, { kernel: layer.kernelSize, strides: layer.stride }, options.maxPoolIndices).y;
        default: {
          const unknown: never = layer;
          throw new Error(`internal: no ONNX graph for layer ${i} (${(unknown as LayerSpec).kind})`);
        }
      }
    });
  });
  return h;
}

export interface CrossEntropyHead {
  /** Per-example `-log softmax(logits)[label]`, float64, shape [N]. */
  readonly losses: Value;
  readonly lossSum: Value;
  /** Examples whose arg-max logit equals the label (first index wins ties), float64 scalar. */
  readonly correct: Value;
  /** The row max subtracted before `Exp`; a constant for autodiff (log-softmax does not depend on it). */
  readonly shift: Value;
}

/**
 * Softmax cross-entropy from logits with the log-sum-exp trick, computed in float64 whatever the model's dtype:
 * then every finite float32 logit (even ±3e38, whose differences overflow float32) gives a finite, exact loss.
 */
export function crossEntropy(g: GraphBuilder, logits: Value, labels: Value): CrossEntropyHead {
  return g.scoped('loss', () => {
    const z = op.cast(g, logits, 'float64');
    const shift = op.reduce(g, 'ReduceMax', z, [1], true);
    const shifted = op.sub(g, z, shift);
    const logSumExp = op.log(g, op.reduceSum(g, op.exp(g, shifted), [1], true));
    const logProbs = op.sub(g, shifted, logSumExp);
    const labels64 = op.cast(g, labels, 'int64');
    // GatherElements picks the label's log-probability; a one-hot product would turn -inf·0 into NaN.
    const picked = op.gatherElements(g, logProbs, op.unsqueeze(g, labels64, [1]), 1);
    const losses = op.squeeze(g, op.neg(g, picked), [1]);
    const lossSum = op.reduceSum(g, losses, undefined, false);
    const predicted = op.argMax(g, logits, 1, false);
    const hits = op.cast(g, op.equal(g, predicted, labels64), 'float64');
    const correct = op.reduceSum(g, hits, undefined, false);
    return { losses, lossSum, correct, shift };
  });
}

/**
 * How a graph receives the examples: `rows`, the rows `source_index` of a whole byte array `source_bytes` (a Gather,
 * then as `pixels`); `pixels`, uint8 bytes converted inside the graph (see `unitFromPixels`); or `x`, float32 values.
 * A session serves one kind, so the model creates the sessions its batches ask for.
 */
export type InputKind = 'rows' | 'pixels' | 'float';

/** Symbolic row count of a source's byte array. */
const SOURCE_ROWS_DIM = 'rows';

interface ModelInputs {
  readonly y: Value;
  readonly params: Map<string, Value>;
  /** The examples in the model's dtype (a Cast when the model computes in float64). */
  readonly xModel: Value;
}

/**
 * `float32(v / 255)` for every byte `v`: a Cast, then a float32 Div, which IEEE 754 rounds correctly, so the values
 * are bit-identical to the host's `v / 255` in float32. (A Mul by a rounded 1/255 would differ for some bytes.)
 */
function unitFromPixels(g: GraphBuilder, pixels: Value): Value {
  return g.scoped('input', () => op.div(g, op.cast(g, pixels, 'float32'), op.scalar(g, 'float32', 255)));
}

/** The examples as the graph receives them, as float32 [N, ...inputShape]. */
function examples(g: GraphBuilder, spec: ModelSpec, input: InputKind): Value {
  const shape = [BATCH_DIM, ...spec.inputShape];
  switch (input) {
    case 'float':
      return g.input(NAMES.x, 'float32', shape);
    case 'pixels':
      return unitFromPixels(g, g.input(NAMES.pixels, 'uint8', shape));
    case 'rows': {
      // onnxruntime reads the whole array in place (no copy), and the Gather copies only the batch's rows.
      const bytes = g.input(NAMES.sourceBytes, 'uint8', [SOURCE_ROWS_DIM, ...spec.inputShape]);
      return unitFromPixels(g, op.gatherRows(g, bytes, g.input(NAMES.sourceIndex, 'int32', [BATCH_DIM])));
    }
  }
}

function modelInputs(g: GraphBuilder, spec: ModelSpec, dtype: DType, input: InputKind): ModelInputs {
  checkLayers(spec, dtype);
  const x = examples(g, spec, input);
  const y = g.input(NAMES.y, 'int32', [BATCH_DIM]);
  const params = new Map(parameterShapes(spec.layers).map(({ name, shape }) => [name, g.input(name, dtype, shape)] as const));
  return { y, params, xModel: op.cast(g, x, dtype) };
}

/**
 * One SGD step as one graph. Inputs: `x` float32 [N, ...inputShape] (or the bytes of `input`: see `InputKind`), `y`
 * int32 [N], every parameter, `lr` and `weight_decay` (scalars of the model's dtype). Outputs: `${name}.next` for every
 * parameter, `loss_sum` and `correct` (float64 scalars, from the forward pass before the update). No gradient flows
 * into the examples: autodiff differentiates with respect to the parameters only.
 */
export function buildTrainGraph(spec: ModelSpec, dtype: DType, input: InputKind = 'float'): GraphBuilder {
  const g = new GraphBuilder('train-step');
  const { y, params, xModel } = modelInputs(g, spec, dtype, input);
  const lr = g.input(NAMES.lr, dtype, []);
  const weightDecay = g.input(NAMES.weightDecay, dtype, []);
  const current = [...params.values()];
  const step = appendTrainStep(g, spec, xModel, y, current, lr, weightDecay);
  for (const [i, p] of step.next.entries()) g.output(p, NAMES.next((current[i] as Value).name));
  g.output(step.lossSum, NAMES.lossSum);
  g.output(step.correct, NAMES.correct);
  return g;
}

/**
 * Appends forward, loss, gradients and the SGD update to `g`; `params` in spec order. Returns the updated parameters
 * (same order) and the batch's loss sum and correct count from the forward pass before the update.
 */
export function appendTrainStep(
  g: GraphBuilder,
  spec: ModelSpec,
  x: Value,
  y: Value,
  params: readonly Value[],
  lr: Value,
  weightDecay: Value,
): { next: Value[]; lossSum: Value; correct: Value } {
  const names = parameterShapes(spec.layers).map((p) => p.name);
  const logits = forward(g, spec, x, new Map(names.map((name, i) => [name, params[i] as Value])), { maxPoolIndices: true });
  const head = crossEntropy(g, logits, y);
  const batchSize = op.cast(g, op.sizeOf(g, y), 'float64');
  const meanLoss = op.div(g, head.lossSum, batchSize);
  const grads = gradients(g, meanLoss, params, { stopGradient: [head.shift] });
  const next = g.scoped('sgd', () =>
    params.map((p, i) => {
      // w ← w − lr·(∂mean/∂w + weightDecay·w)
      const step = op.mul(g, lr, op.add(g, grads[i] as Value, op.mul(g, weightDecay, p)));
      return op.sub(g, p, step);
    }),
  );
  return { next, lossSum: head.lossSum, correct: head.correct };
}

/** Forward only: `logits` (model dtype), `losses` (float64 [N]), `loss_sum`, `correct`; inputs as the training step's. */
export function buildEvalGraph(spec: ModelSpec, dtype: DType, input: InputKind = 'float'): GraphBuilder {
  const g = new GraphBuilder('evaluate');
  const { y, params, xModel } = modelInputs(g, spec, dtype, input);
  const logits = forward(g, spec, xModel, params);
  const head = crossEntropy(g, logits, y);
  g.output(logits, NAMES.logits);
  g.output(head.losses, NAMES.losses);
  g.output(head.lossSum, NAMES.lossSum);
  g.output(head.correct, NAMES.correct);
  return g;
}

export interface InferenceGraphOptions {
  /** `image` feeds `[N, ...inputShape]` (e.g. [N, 1, 28, 28]); `flat` feeds `[N, prod(inputShape)]`. */
  readonly inputLayout?: 'image' | 'flat';
}

/** A plain inference model: input `images`, outputs `logits` and `probabilities` (softmax), weights as initializers. */
export function buildInferenceGraph(
  spec: ModelSpec,
  weights: ReadonlyMap<string, Float32Array>,
  options: InferenceGraphOptions = {},
): GraphBuilder {
  const g = new GraphBuilder('xbackend-classifier');
  const sample: Dim[] = options.inputLayout === 'flat' ? [spec.inputShape.reduce((a, b) => a * b, 1)] : [...spec.inputShape];
  const images = g.input(NAMES.images, 'float32', [BATCH_DIM, ...sample]);
  const params = new Map(
    parameterShapes(spec.layers).map(({ name, shape }) => {
      const data = weights.get(name);
      if (!data) throw new Error(`internal: no weights for ${name}`);
      return [name, g.initializer(name, 'float32', shape, data)] as const;
    }),
  );
  // Flat rows become images again where the first layer looks at them as images (Conv2d, pooling): [N, C, H, W].
  const first = spec.layers[0]?.kind;
  const windowed = options.inputLayout === 'flat' && spec.inputShape.length > 1 && first !== 'flatten' && first !== 'linear';
  const input = windowed ? op.reshape(g, images, [-1, ...spec.inputShape]) : images;
  const logits = forward(g, spec, input, params);
  g.output(logits, NAMES.logits);
  g.output(op.softmax(g, logits, 1), NAMES.probabilities);
  return g;
}
