/**
 * Reverse-mode rules, one per differentiable ONNX op: given the gradient of a node's output, emit the ONNX nodes that
 * compute the gradient of each input that needs one. Broadcasting is undone statically from the inferred shapes.
 */
import type { Attribute, GraphBuilder, GraphNode, Value } from './graph.js';
import { isFloat } from './graph.js';
import * as op from './ops.js';

export interface GradientContext {
  readonly g: GraphBuilder;
  readonly node: GraphNode;
  /** Gradient of the node's (first) output; rules run only when it exists. */
  readonly dY: Value;
  /** Which inputs need a gradient (depend on a differentiated value). */
  readonly needs: readonly boolean[];
}

/** Returns one entry per node input: its gradient, or `undefined` when it needs none. */
export type GradientRule = (ctx: GradientContext) => readonly (Value | undefined)[];

function input(node: GraphNode, i: number): Value {
  const v = node.inputs[i];
  if (!v) throw new Error(`internal: node ${node.name} (${node.op}) has no input ${i}`);
  return v;
}

function output(node: GraphNode): Value {
  return node.outputs[0] as Value;
}

function intAttribute(node: GraphNode, name: string, fallback: number): number {
  const a: Attribute | undefined = node.attributes[name];
  return a && (a.kind === 'int' || a.kind === 'float') ? a.value : fallback;
}

/** Sums `grad` over the axes along which `target` was broadcast, then restores `target`'s rank. */
export function unbroadcast(g: GraphBuilder, grad: Value, target: Value): Value {
  if (grad.shape.join() === target.shape.join()) return grad;
  const extra = grad.shape.length - target.shape.length;
  const leading = grad.shape.slice(0, extra).map((_, i) => i);
  const inner = grad.shape.map((_, i) => i).filter((i) => i >= extra && target.shape[i - extra] === 1 && grad.shape[i] !== 1);
  // Only leading axes broadcast (e.g. a bias [C] against [N, C]): one ReduceSum without keepdims gives the target shape.
  if (inner.length === 0 && leading.length > 0) return op.reduceSum(g, grad, leading, false);
  const summed = inner.length + leading.length > 0 ? op.reduceSum(g, grad, [...leading, ...inner], true) : grad;
  return summed.shape.join() !== target.shape.join() ? op.reshapeLike(g, summed, target) : summed;
}

/** Axes of a Reduce node (its second input, a constant), or `undefined` for "all axes". */
function reduceAxes(g: GraphBuilder, node: GraphNode): number[] | undefined {
  const axesInput = node.inputs[1];
  if (!axesInput) return undefined;
  const data = g.constantData(axesInput);
  if (!(data instanceof BigInt64Array)) throw new Error(`internal: ${node.name}: the axes must be a constant int64 tensor`);
  const rank = input(node, 0).shape.length;
  return Array.from(data, (a) => (Number(a) < 0 ? Number(a) + rank : Number(a))).sort((a, b) => a - b);
}

/** The gradient of a reduced value, given back its reduced axes as size-1 dims so it broadcasts against the input. */
function keepDims(g: GraphBuilder, node: GraphNode, value: Value): Value {
  const axes = reduceAxes(g, node);
  if (intAttribute(node, 'keepdims', 1) === 1 || axes === undefined) return value; // a full reduction is a scalar: broadcasts as is
  return op.unsqueeze(g, value, axes);
}

/** `size(Y) / size(X)` as a scalar of X's type, static when both sizes are known. */
function meanFactor(g: GraphBuilder, x: Value, y: Value): Value {
  const nx = op.dimProduct(x.shape);
  const ny = op.dimProduct(y.shape);
  if (typeof nx === 'number' && typeof ny === 'number') return op.scalar(g, x.type, ny / nx);
  return op.div(g, op.cast(g, op.sizeOf(g, y), x.type), op.cast(g, op.sizeOf(g, x), x.type));
}

function intsAttribute(node: GraphNode, name: string, fallback: readonly number[]): readonly number[] {
  const a: Attribute | undefined = node.attributes[name];
  return a?.kind === 'ints' ? a.value : fallback;
}

function pairAttribute(node: GraphNode, name: string, fallback: op.Pair): op.Pair {
  const [a, b] = intsAttribute(node, name, fallback);
  return [a as number, b as number];
}

/** A pair computed per spatial axis (0: height, 1: width). */
function perAxis(of: (axis: 0 | 1) => number): op.Pair {
  return [of(0), of(1)];
}

/** The spatial size of a [N, C, H, W] value along axis 0 (H) or 1 (W). */
function spatialSize(v: Value, axis: 0 | 1): number {
  const size = v.shape[2 + axis];
  if (typeof size !== 'number') throw new Error(`internal: ${v.name} has no static spatial size`);
  return size;
}

/**
 * What a window sliding by `stride` leaves over at the end of an axis: rows (or columns) after the last window, which
 * the forward pass never read. The gradient ops below must produce them (as zeros) to give the input's shape back.
 */
function leftover(size: number, padBegin: number, padEnd: number, kernel: number, stride: number, outSize: number): number {
  return size + padBegin + padEnd - kernel - stride * (outSize - 1);
}

function convRule({ g, node, dY, needs }: GradientContext): (Value | undefined)[] {
  const [x, w, bias] = [input(node, 0), input(node, 1), node.inputs[2]];
  const strides = pairAttribute(node, 'strides', [1, 1]);
  const pads = intsAttribute(node, 'pads', [0, 0, 0, 0]) as op.Pads;
  if (intsAttribute(node, 'dilations', [1, 1]).some((d) => d !== 1) || intAttribute(node, 'group', 1) !== 1) {
    throw new Error(`internal: ${node.name}: the Conv gradient supports dilation 1 and group 1 only`);
  }
  const kernel = perAxis((a) => spatialSize(w, a));
  const padEnd = perAxis((a) => (a === 0 ? pads[2] : pads[3]));
  const rest = perAxis((a) => leftover(spatialSize(x, a), pads[a], padEnd[a], kernel[a], strides[a], spatialSize(dY, a)));
  // ∂/∂x: the adjoint of the convolution; output_padding restores the leftover rows and columns (as zeros).
  const dX = needs[0] ? op.convTranspose(g, dY, w, { strides, pads, outputPadding: rest }) : undefined;
  let dW: Value | undefined;
  if (needs[1]) {
    // ∂/∂w[o, c] is the correlation of input channel c with output gradient o, whose taps lie `stride` apart: a Conv over
    // the input with batch and channels swapped ([C, N, H, W]), the gradient as weight ([O, N, h, w]), dilation = stride.
    // Ending the padding early by the leftover gives exactly the kernel's size; where the padding is too short, a Slice.
    const endPads = perAxis((a) => Math.max(0, padEnd[a] - rest[a]));
    const swapped = op.conv(g, op.transpose(g, x, [1, 0, 2, 3]), op.transpose(g, dY, [1, 0, 2, 3]), undefined, {
      strides: [1, 1],
      pads: [pads[0], pads[1], endPads[0], endPads[1]],
      dilations: strides,
    });
    const fitted = swapped.shape[2] === kernel[0] && swapped.shape[3] === kernel[1] ? swapped : op.sliceHead(g, swapped, [2, 3], kernel);
    dW = op.transpose(g, fitted, [1, 0, 2, 3]);
  }
  const dB = bias && needs[2] ? op.reduceSum(g, dY, [0, 2, 3], false) : undefined;
  return [dX, dW, dB];
}

function poolOptions(node: GraphNode): op.PoolOptions {
  const pads = intsAttribute(node, 'pads', [0, 0, 0, 0]);
  if (pads.some((p) => p !== 0) || intAttribute(node, 'ceil_mode', 0) !== 0) {
    throw new Error(`internal: ${node.name}: pooling gradients support no padding and floor mode only`);
  }
  return { kernel: pairAttribute(node, 'kernel_shape', [1, 1]), strides: pairAttribute(node, 'strides', [1, 1]) };
}

/**
 * Each window's mean passes `dY / area` to every value of the window (overlapping windows add up; values no window
 * read get 0). Windows that tile the input (kernel = stride, as LeNet's) repeat each share over its window (a nearest
 * upsampling, 4× cheaper here than the general path); other windows take a ConvTranspose of every channel on its own.
 */
function averagePoolRule({ g, node, dY }: GradientContext): (Value | undefined)[] {
  const x = input(node, 0);
  const { kernel, strides } = poolOptions(node);
  const rest = perAxis((a) => leftover(spatialSize(x, a), 0, 0, kernel[a], strides[a], spatialSize(dY, a)));
  const share = op.div(g, dY, op.scalar(g, dY.type, kernel[0] * kernel[1]));
  if (kernel[0] === strides[0] && kernel[1] === strides[1]) {
    const tiled = op.repeatNearest(g, share, kernel);
    return [rest[0] === 0 && rest[1] === 0 ? tiled : op.padEnd(g, tiled, rest)];
  }
  const ones = g.constant(dY.type, [1, 1, ...kernel], new Array<number>(kernel[0] * kernel[1]).fill(1), 'avgpool_kernel');
  const perChannel = op.reshape(g, share, [-1, 1, spatialSize(dY, 0), spatialSize(dY, 1)]);
  const spread = op.convTranspose(g, perChannel, ones, { strides, pads: [0, 0, 0, 0], outputPadding: rest });
  return [op.reshapeLike(g, spread, x)];
}

/**
 * Each window's max passes `dY` to the value the forward pass picked (onnxruntime's index of the first largest value
 * in row-major order, as PyTorch), summed where windows overlap: a ScatterElements-add over the flattened input.
 */
function maxPoolRule({ g, node, dY }: GradientContext): (Value | undefined)[] {
  const x = input(node, 0);
  const indices = node.outputs[1] ?? (op.maxPool(g, x, poolOptions(node), true).indices as Value);
  const flat = op.reshape(g, op.zerosLike(g, x), [-1]);
  const scattered = op.scatterElementsAdd(g, flat, op.reshape(g, indices, [-1]), op.reshape(g, dY, [-1]), 0);
  return [op.reshapeLike(g, scattered, x)];
}

function reshapeRule({ g, node, dY }: GradientContext): (Value | undefined)[] {
  return [op.reshapeLike(g, dY, input(node, 0)), undefined];
}

export const gradientRules: Readonly<Record<string, GradientRule>> = {
  Identity: ({ dY }) => [dY],
  Neg: ({ g, dY }) => [op.neg(g, dY)],
  Add: ({ g, node, dY, needs }) => [
    needs[0] ? unbroadcast(g, dY, input(node, 0)) : undefined,
    needs[1] ? unbroadcast(g, dY, input(node, 1)) : undefined,
  ],
  Sub: ({ g, node, dY, needs }) => [
    needs[0] ? unbroadcast(g, dY, input(node, 0)) : undefined,
    needs[1] ? unbroadcast(g, op.neg(g, dY), input(node, 1)) : undefined,
  ],
  Mul: ({ g, node, dY, needs }) => {
    const [a, b] = [input(node, 0), input(node, 1)];
    return [needs[0] ? unbroadcast(g, op.mul(g, dY, b), a) : undefined, needs[1] ? unbroadcast(g, op.mul(g, dY, a), b) : undefined];
  },
  Div: ({ g, node, dY, needs }) => {
    const [a, b] = [input(node, 0), input(node, 1)];
    // d(a/b)/db = -a/b² = -y/b
    return [
      needs[0] ? unbroadcast(g, op.div(g, dY, b), a) : undefined,
      needs[1] ? unbroadcast(g, op.neg(g, op.div(g, op.mul(g, dY, output(node)), b)), b) : undefined,
    ];
  },
  Exp: ({ g, node, dY }) => [op.mul(g, dY, output(node))],
  Log: ({ g, node, dY }) => [op.div(g, dY, input(node, 0))],
  Sigmoid: ({ g, node, dY }) => {
    // s·(1 − s) from the output, as PyTorch: exact 0 where s saturates at 0 or 1, never an overflow.
    const s = output(node);
    return [op.mul(g, dY, op.mul(g, s, op.sub(g, op.scalar(g, s.type, 1), s)))];
  },
  Relu: ({ g, node, dY }) => {
    const x = input(node, 0);
    const zero = op.scalar(g, x.type, 0);
    return [op.where(g, op.greater(g, x, zero), dY, zero)];
  },
  Flatten: reshapeRule,
  Reshape: reshapeRule,
  Squeeze: reshapeRule,
  Unsqueeze: reshapeRule,
  Expand: ({ g, node, dY }) => [unbroadcast(g, dY, input(node, 0)), undefined],
  Cast: ({ g, node, dY }) => {
    const x = input(node, 0);
    return [isFloat(x.type) ? op.cast(g, dY, x.type) : undefined];
  },
  MatMul: ({ g, node, dY, needs }) => {
    const [a, b] = [input(node, 0), input(node, 1)];
    return [
      needs[0] ? op.gemm(g, dY, b, undefined, { transB: true }) : undefined,
      needs[1] ? op.gemm(g, a, dY, undefined, { transA: true }) : undefined,
    ];
  },
  Gemm: ({ g, node, dY, needs }) => {
    const [a, b, c] = [input(node, 0), input(node, 1), node.inputs[2]];
    const transA = intAttribute(node, 'transA', 0) === 1;
    const transB = intAttribute(node, 'transB', 0) === 1;
    const alpha = intAttribute(node, 'alpha', 1);
    const beta = intAttribute(node, 'beta', 1);
    // Y = alpha·op(A)·op(B) + beta·C; each case below writes dA / dB in the layout of A / B without a Transpose.
    const dA = !needs[0]
      ? undefined
      : transA
        ? op.gemm(g, b, dY, undefined, { transA: transB, transB: true, alpha })
        : op.gemm(g, dY, b, undefined, { transB: !transB, alpha });
    const dB = !needs[1]
      ? undefined
      : transB
        ? op.gemm(g, dY, a, undefined, { transA: true, transB: transA, alpha })
        : op.gemm(g, a, dY, undefined, { transA: !transA, alpha });
    let dC: Value | undefined;
    if (c && needs[2]) {
      const summed = unbroadcast(g, dY, c);
      dC = beta === 1 ? summed : op.mul(g, summed, op.scalar(g, c.type, beta));
    }
    return [dA, dB, dC];
  },
  Conv: convRule,
  AveragePool: averagePoolRule,
  MaxPool: maxPoolRule,
  ReduceSum: ({ g, node, dY }) => [op.expandLike(g, keepDims(g, node, dY), input(node, 0)), undefined],
  ReduceMean: ({ g, node, dY }) => {
    const x = input(node, 0);
    const spread = op.expandLike(g, keepDims(g, node, dY), x);
    return [op.mul(g, spread, meanFactor(g, x, output(node))), undefined];
  },
  ReduceMax: ({ g, node, dY }) => {
    // The gradient goes to the maximal entries, shared equally among ties (the subgradient PyTorch uses for amax).
    const x = input(node, 0);
    const mask = op.cast(g, op.equal(g, x, keepDims(g, node, output(node))), x.type);
    const ties = op.reduceSum(g, mask, reduceAxes(g, node), true);
    return [op.mul(g, mask, op.div(g, keepDims(g, node, dY), ties)), undefined];
  },
  LogSoftmax: ({ g, node, dY }) => {
    const axis = intAttribute(node, 'axis', -1);
    const total = op.reduceSum(g, dY, [axis], true);
    return [op.sub(g, dY, op.mul(g, op.exp(g, output(node)), total))];
  },
  Softmax: ({ g, node, dY }) => {
    const axis = intAttribute(node, 'axis', -1);
    const y = output(node);
    const total = op.reduceSum(g, op.mul(g, dY, y), [axis], true);
    return [op.mul(g, y, op.sub(g, dY, total))];
  },
  GatherElements: ({ g, node, dY }) => {
    const data = input(node, 0);
    const axis = intAttribute(node, 'axis', 0);
    return [op.scatterElementsAdd(g, op.zerosLike(g, data), input(node, 1), dY, axis), undefined];
  },
  Where: ({ g, node, dY, needs }) => {
    const [condition, a, b] = [input(node, 0), input(node, 1), input(node, 2)];
    const zero = op.scalar(g, dY.type, 0);
    return [
      undefined,
      needs[1] ? unbroadcast(g, op.where(g, condition, dY, zero), a) : undefined,
      needs[2] ? unbroadcast(g, op.where(g, condition, zero, dY), b) : undefined,
    ];
  },
};
