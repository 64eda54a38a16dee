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
