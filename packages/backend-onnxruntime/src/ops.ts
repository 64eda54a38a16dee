/**
 * Typed helpers for the ONNX ops xbackend uses (opset 18), each inferring its output type and shape so that
 * gradient rules can un-broadcast statically. Shapes may hold symbols (the batch size `N`).
 */
import { type Attribute, attr, type Dim, type ElemType, formatShape, type GraphBuilder, isFloat, type Value } from './graph.js';

function fail(op: string, detail: string): never {
  throw new Error(`internal: ${op}: ${detail}`);
}

function sameType(op: string, ...values: Value[]): ElemType {
  const type = (values[0] as Value).type;
  for (const v of values) if (v.type !== type) fail(op, `mixes ${type} and ${v.type} (${values.map((x) => x.name).join(', ')})`);
  return type;
}

/** Product of dims; symbolic when any factor is a symbol. */
export function dimProduct(dims: readonly Dim[]): Dim {
  const symbols = dims.filter((d): d is string => typeof d === 'string');
  const numeric = dims.filter((d): d is number => typeof d === 'number').reduce((a, b) => a * b, 1);
  if (symbols.length === 0) return numeric;
  if (symbols.length === 1 && numeric === 1) return symbols[0] as string;
  return [...symbols, ...(numeric === 1 ? [] : [String(numeric)])].join('*');
}

/** Numpy-style broadcast of two shapes. */
export function broadcastShapes(op: string, a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else fail(op, `cannot broadcast ${formatShape(a)} with ${formatShape(b)}`);
  }
  return out;
}

function normalizeAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(op, `axis ${axis} out of range for rank ${rank}`);
  return a;
}

function unary(g: GraphBuilder, op: string, x: Value, attributes = {}): Value {
  return g.node(op, [x], [{ type: x.type, shape: x.shape }], attributes)[0] as Value;
}

function binary(g: GraphBuilder, op: string, a: Value, b: Value): Value {
  const type = sameType(op, a, b);
  return g.node(op, [a, b], [{ type, shape: broadcastShapes(op, a.shape, b.shape) }])[0] as Value;
}

/** A scalar constant of `type` (for lr-style factors, zeros, ones). */
export function scalar(g: GraphBuilder, type: ElemType, value: number): Value {
  return g.constant(type, [], [value], 'scalar');
}

function int64s(g: GraphBuilder, values: readonly number[]): Value {
  return g.constant('int64', [values.length], values, 'ints');
}

export const add = (g: GraphBuilder, a: Value, b: Value): Value => binary(g, 'Add', a, b);
export const sub = (g: GraphBuilder, a: Value, b: Value): Value => binary(g, 'Sub', a, b);
export const mul = (g: GraphBuilder, a: Value, b: Value): Value => binary(g, 'Mul', a, b);
export const div = (g: GraphBuilder, a: Value, b: Value): Value => binary(g, 'Div', a, b);
export const neg = (g: GraphBuilder, x: Value): Value => unary(g, 'Neg', x);
export const exp = (g: GraphBuilder, x: Value): Value => unary(g, 'Exp', x);
export const log = (g: GraphBuilder, x: Value): Value => unary(g, 'Log', x);
export const relu = (g: GraphBuilder, x: Value): Value => unary(g, 'Relu', x);
export const sigmoid = (g: GraphBuilder, x: Value): Value => unary(g, 'Sigmoid', x);
export const identity = (g: GraphBuilder, x: Value): Value => unary(g, 'Identity', x);

function compare(g: GraphBuilder, op: string, a: Value, b: Value): Value {
  sameType(op, a, b);
  return g.node(op, [a, b], [{ type: 'bool', shape: broadcastShapes(op, a.shape, b.shape) }])[0] as Value;
}

export const equal = (g: GraphBuilder, a: Value, b: Value): Value => compare(g, 'Equal', a, b);
export const greater = (g: GraphBuilder, a: Value, b: Value): Value => compare(g, 'Greater', a, b);

export function where(g: GraphBuilder, condition: Value, a: Value, b: Value): Value {
  if (condition.type !== 'bool') fail('Where', 'condition must be bool');
  const type = sameType('Where', a, b);
  const shape = broadcastShapes('Where', condition.shape, broadcastShapes('Where', a.shape, b.shape));
  return g.node('Where', [condition, a, b], [{ type, shape }])[0] as Value;
}

export function cast(g: GraphBuilder, x: Value, to: ElemType): Value {
  if (x.type === to) return x;
  const codes: Record<ElemType, number> = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float64: 11 };
  return g.node('Cast', [x], [{ type: to, shape: x.shape }], { to: attr.int(codes[to]) })[0] as Value;
}

export function flatten(g: GraphBuilder, x: Value, axis = 1): Value {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const shape = [dimProduct(x.shape.slice(0, a)), dimProduct(x.shape.slice(a))];
  return g.node('Flatten', [x], [{ type: x.type, shape }], { axis: attr.int(axis) })[0] as Value;
}

/** Reshape to a static shape (`-1` allowed once, resolved from the input's element count). */
export function reshape(g: GraphBuilder, x: Value, dims: readonly number[]): Value {
  const known = dimProduct(x.shape);
  const shape: Dim[] = dims.map((d) => d);
  const inferred = dims.indexOf(-1);
  if (inferred >= 0) {
    const rest = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    shape[inferred] = typeof known === 'number' ? known / rest : `${known}/${rest}`;
  }
  return g.node('Reshape', [x, int64s(g, dims)], [{ type: x.type, shape }])[0] as Value;
}

/** Reshape `x` to the (possibly symbolic) shape of `like`, read at run time. */
export function reshapeLike(g: GraphBuilder, x: Value, like: Value): Value {
  if (x.shape.join() === like.shape.join()) return x;
  return g.node('Reshape', [x, shapeOf(g, like)], [{ type: x.type, shape: like.shape }])[0] as Value;
}

export function shapeOf(g: GraphBuilder, x: Value): Value {
  return g.node('Shape', [x], [{ type: 'int64', shape: [x.shape.length] }])[0] as Value;
}

/** Number of elements of `x` as an int64 scalar. */
export function sizeOf(g: GraphBuilder, x: Value): Value {
  return g.node('Size', [x], [{ type: 'int64', shape: [] }])[0] as Value;
}

/** Broadcasts `x` to the run-time shape of `like`. */
export function expandLike(g: GraphBuilder, x: Value, like: Value): Value {
  if (x.shape.join() === like.shape.join()) return x;
  return g.node('Expand', [x, shapeOf(g, like)], [{ type: x.type, shape: broadcastShapes('Expand', x.shape, like.shape) }])[0] as Value;
}

export function unsqueeze(g: GraphBuilder, x: Value, axes: readonly number[]): Value {
  const rank = x.shape.length + axes.length;
  const normalized = axes.map((a) => normalizeAxis('Unsqueeze', a, rank));
  const shape: Dim[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) shape.push(normalized.includes(i) ? 1 : (x.shape[next++] as Dim));
  return g.node('Unsqueeze', [x, int64s(g, axes)], [{ type: x.type, shape }])[0] as Value;
}

export function squeeze(g: GraphBuilder, x: Value, axes: readonly number[]): Value {
  const normalized = axes.map((a) => normalizeAxis('Squeeze', a, x.shape.length));
  for (const a of normalized) if (x.shape[a] !== 1) fail('Squeeze', `dim ${a} of ${formatShape(x.shape)} is not 1`);
  const shape = x.shape.filter((_, i) => !normalized.includes(i));
  return g.node('Squeeze', [x, int64s(g, axes)], [{ type: x.type, shape }])[0] as Value;
}

export type ReduceOp = 'ReduceSum' | 'ReduceMean' | 'ReduceMax';

/** A Reduce* op over `axes` (all axes when omitted). */
export function reduce(g: GraphBuilder, op: ReduceOp, x: Value, axes: readonly number[] | undefined, keepdims: boolean): Value {
  const all = axes === undefined;
  const normalized = all ? x.shape.map((_, i) => i) : axes.map((a) => normalizeAxis(op, a, x.shape.length));
  const shape = keepdims ? x.shape.map((d, i) => (normalized.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !normalized.includes(i));
  const inputs = all ? [x] : [x, int64s(g, axes)];
  return g.node(op, inputs, [{ type: x.type, shape }], { keepdims: attr.int(keepdims ? 1 : 0) })[0] as Value;
}

export const reduceSum = (g: GraphBuilder, x: Value, axes: readonly number[] | undefined, keepdims: boolean): Value =>
  reduce(g, 'ReduceSum', x, axes, keepdims);

export function matMul(g: GraphBuilder, a: Value, b: Value): Value {
  const type = sameType('MatMul', a, b);
  if (a.shape.length !== 2 || b.shape.length !== 2)
    fail('MatMul', `only 2-D operands are supported, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  if (a.shape[1] !== b.shape[0]) fail('MatMul', `inner dims differ: ${formatShape(a.shape)} × ${formatShape(b.shape)}`);
  return g.node('MatMul', [a, b], [{ type, shape: [a.shape[0] as Dim, b.shape[1] as Dim] }])[0] as Value;
}

export interface GemmOptions {
  readonly transA?: boolean;
  readonly transB?: boolean;
  readonly alpha?: number;
  readonly beta?: number;
}

/** `alpha·op(A)·op(B) + beta·C`, C broadcast to `[M, N]`. */
export function gemm(g: GraphBuilder, a: Value, b: Value, c: Value | undefined, options: GemmOptions = {}): Value {
  const { transA = false, transB = false, alpha = 1, beta = 1 } = options;
  const type = c ? sameType('Gemm', a, b, c) : sameType('Gemm', a, b);
  const [m, k1] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [k2, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (a.shape.length !== 2 || b.shape.length !== 2 || k1 !== k2) {
    fail('Gemm', `operands ${formatShape(a.shape)}${transA ? 'ᵀ' : ''} × ${formatShape(b.shape)}${transB ? 'ᵀ' : ''} do not line up`);
  }
  const shape = [m as Dim, n as Dim];
  if (c) broadcastShapes('Gemm', shape, c.shape);
  const attributes = {
    ...(transA ? { transA: attr.int(1) } : {}),
    ...(transB ? { transB: attr.int(1) } : {}),
    ...(alpha !== 1 ? { alpha: attr.float(alpha) } : {}),
    ...(beta !== 1 ? { beta: attr.float(beta) } : {}),
  };
  return g.node('Gemm', c ? [a, b, c] : [a, b], [{ type, shape }], attributes)[0] as Value;
}

export function logSoftmax(g: GraphBuilder, x: Value, axis = -1): Value {
  return unary(g, 'LogSoftmax', x, { axis: attr.int(axis) });
}

export function softmax(g: GraphBuilder, x: Value, axis = -1): Value {
  return unary(g, 'Softmax', x, { axis: attr.int(axis) });
}

/** Index of the largest value along `axis`; the first one wins ties (as torch.argmax). */
export function argMax(g: GraphBuilder, x: Value, axis: number, keepdims: boolean): Value {
  const a = normalizeAxis('ArgMax', axis, x.shape.length);
  const shape = keepdims ? x.shape.map((d, i) => (i === a ? 1 : d)) : x.shape.filter((_, i) => i !== a);
  return g.node('ArgMax', [x], [{ type: 'int64', shape }], { axis: attr.int(axis), keepdims: attr.int(keepdims ? 1 : 0) })[0] as Value;
}

/** Rows of `data` along axis 0, in the order of `indices` (a 1-D int32 or int64 tensor). */
export function gatherRows(g: GraphBuilder, data: Value, indices: Value): Value {
  if (indices.type !== 'int64' && indices.type !== 'int32') fail('Gather', 'indices must be int32 or int64');
  if (indices.shape.length !== 1) fail('Gather', `indices must be 1-D, got ${formatShape(indices.shape)}`);
  const shape = [indices.shape[0] as Dim, ...data.shape.slice(1)];
  return g.node('Gather', [data, indices], [{ type: data.type, shape }], { axis: attr.int(0) })[0] as Value;
}

export function gatherElements(g: GraphBuilder, data: Value, indices: Value, axis: number): Value {
  if (indices.type !== 'int64' && indices.type !== 'int32') fail('GatherElements', 'indices must be int32 or int64');
  return g.node('GatherElements', [data, indices], [{ type: data.type, shape: indices.shape }], { axis: attr.int(axis) })[0] as Value;
}

/** `data` with `updates` added at `indices` along `axis` (duplicates accumulate). */
export function scatterElementsAdd(g: GraphBuilder, data: Value, indices: Value, updates: Value, axis: number): Value {
  sameType('ScatterElements', data, updates);
  return g.node('ScatterElements', [data, indices, updates], [{ type: data.type, shape: data.shape }], {
    axis: attr.int(axis),
    reduction: attr.string('add'),
  })[0] as Value;
}

/** Zeros with the run-time shape of `like`. */
export function zerosLike(g: GraphBuilder, like: Value): Value {
  if (!isFloat(like.type)) fail('zerosLike', 'float values only');
  return expandLike(g, scalar(g, like.type, 0), like);
}

/** `[height, width]` of a window, a stride, a dilation or a padding. */
export type Pair = readonly [number, number];

/** Where a window op pads: `[top, left, bottom, right]` (ONNX's `pads` for two spatial axes). */
export type Pads = readonly [number, number, number, number];

/** `pads` for the same padding on both sides of each axis, as PyTorch's `padding`. */
export function symmetricPads(padding: Pair): Pads {
  return [padding[0], padding[1], padding[0], padding[1]];
}

function spatial(op: string, x: Value): [number, number] {
  const [h, w] = [x.shape[2], x.shape[3]];
  if (x.shape.length !== 4 || typeof h !== 'number' || typeof w !== 'number') {
    fail(op, `needs [N, C, height, width] with static height and width, got ${formatShape(x.shape)}`);
  }
  return [h, w];
}

/** Output size along one axis of a window of `kernel` (dilated by `dilation`) sliding by `stride`; floor mode. */
function slideOutput(op: string, size: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation = 1): number {
  const out = Math.floor((size + padBegin + padEnd - ((kernel - 1) * dilation + 1)) / stride) + 1;
  if (out < 1) fail(op, `a window of ${kernel} (dilation ${dilation}) does not fit ${size} padded by ${padBegin} + ${padEnd}`);
  return out;
}

export interface ConvOptions {
  readonly strides: Pair;
  readonly pads: Pads;
  readonly dilations?: Pair;
}

/** ONNX Conv (a cross-correlation, as PyTorch's): `x` [N, C, H, W], `w` [O, C, kh, kw], optional bias [O]. */
export function conv(g: GraphBuilder, x: Value, w: Value, bias: Value | undefined, options: ConvOptions): Value {
  const type = bias ? sameType('Conv', x, w, bias) : sameType('Conv', x, w);
  const [h, width] = spatial('Conv', x);
  const [kh, kw] = spatial('Conv', w);
  if (x.shape[1] !== w.shape[1]) fail('Conv', `input channels ${formatShape(x.shape)} do not match the weight ${formatShape(w.shape)}`);
  const { strides, pads, dilations = [1, 1] } = options;
  const shape = [
    x.shape[0] as Dim,
    w.shape[0] as Dim,
    slideOutput('Conv', h, kh, strides[0], pads[0], pads[2], dilations[0]),
    slideOutput('Conv', width, kw, strides[1], pads[1], pads[3], dilations[1]),
  ];
  const attributes = { strides: attr.ints(strides), pads: attr.ints(pads), dilations: attr.ints(dilations), group: attr.int(1) };
  return g.node('Conv', bias ? [x, w, bias] : [x, w], [{ type, shape }], attributes)[0] as Value;
}

export interface ConvTransposeOptions {
  readonly strides: Pair;
  readonly pads: Pads;
  /** Extra rows and columns at the bottom and right of the output (each less than its stride). */
  readonly outputPadding: Pair;
}

/** ONNX ConvTranspose (the adjoint of Conv with the same weight): `x` [N, O, h, w], `w` [O, C, kh, kw] → [N, C, H, W]. */
export function convTranspose(g: GraphBuilder, x: Value, w: Value, options: ConvTransposeOptions): Value {
  const type = sameType('ConvTranspose', x, w);
  const [h, width] = spatial('ConvTranspose', x);
  const kernel = spatial('ConvTranspose', w);
  if (x.shape[1] !== w.shape[0]) {
    fail('ConvTranspose', `input channels ${formatShape(x.shape)} do not match the weight ${formatShape(w.shape)}`);
  }
  const { strides, pads, outputPadding } = options;
  const size = (axis: 0 | 1, n: number) =>
    strides[axis] * (n - 1) + outputPadding[axis] + kernel[axis] - (pads[axis] as number) - (pads[axis + 2] as number);
  const shape = [x.shape[0] as Dim, w.shape[1] as Dim, size(0, h), size(1, width)];
  const attributes = {
    strides: attr.ints(strides),
    pads: attr.ints(pads),
    output_padding: attr.ints(outputPadding),
    group: attr.int(1),
  };
  return g.node('ConvTranspose', [x, w], [{ type, shape }], attributes)[0] as Value;
}

export interface PoolOptions {
  readonly kernel: Pair;
  readonly strides: Pair;
}

function poolShape(op: string, x: Value, { kernel, strides }: PoolOptions): Dim[] {
  const [h, w] = spatial(op, x);
  return [
    x.shape[0] as Dim,
    x.shape[1] as Dim,
    slideOutput(op, h, kernel[0], strides[0], 0, 0),
    slideOutput(op, w, kernel[1], strides[1], 0, 0),
  ];
}

function poolAttributes(options: PoolOptions): Record<string, Attribute> {
  return { kernel_shape: attr.ints(options.kernel), strides: attr.ints(options.strides), ceil_mode: attr.int(0) };
}

/** Mean of each window, without padding (floor mode: rows and columns that do not fill a window are dropped). */
export function averagePool(g: GraphBuilder, x: Value, options: PoolOptions): Value {
  return g.node('AveragePool', [x], [{ type: x.type, shape: poolShape('AveragePool', x, options) }], poolAttributes(options))[0] as Value;
}

/**
 * Max of each window, without padding (floor mode). With `indices`, also where each max is, as an index into `x`
 * flattened row-major (batch and channel included); onnxruntime gives the first largest value on ties.
 */
export function maxPool(g: GraphBuilder, x: Value, options: PoolOptions, indices = false): { y: Value; indices?: Value } {
  const shape = poolShape('MaxPool', x, options);
  const outputs = [{ type: x.type, shape }, ...(indices ? [{ type: 'int64' as const, shape }] : [])];
  const [y, where] = g.node('MaxPool', [x], outputs, poolAttributes(options));
  return where ? { y: y as Value, indices: where } : { y: y as Value };
}

export function transpose(g: GraphBuilder, x: Value, perm: readonly number[]): Value {
  if (perm.length !== x.shape.length) fail('Transpose', `perm [${perm}] does not match ${formatShape(x.shape)}`);
  const shape = perm.map((p) => x.shape[p] as Dim);
  return g.node('Transpose', [x], [{ type: x.type, shape }], { perm: attr.ints(perm) })[0] as Value;
}

/** `x[..., :ends[i], ...]` along `axes` (static dims). */
export function sliceHead(g: GraphBuilder, x: Value, axes: readonly number[], ends: readonly number[]): Value {
  const shape = x.shape.map((d, i) => {
    const at = axes.indexOf(i);
    return at < 0 ? d : (ends[at] as number);
  });
  const inputs = [
    x,
    int64s(
      g,
      axes.map(() => 0),
    ),
    int64s(g, ends),
    int64s(g, axes),
  ];
  return g.node('Slice', inputs, [{ type: x.type, shape }])[0] as Value;
}

/** `x` [N, C, H, W] with every value repeated over a `factors[0]` × `factors[1]` block: [N, C, H·f0, W·f1]. */
export function repeatNearest(g: GraphBuilder, x: Value, factors: Pair): Value {
  const [h, w] = spatial('Resize', x);
  const roi = g.constant('float32', [0], [], 'roi');
  const scales = g.constant('float32', [4], [1, 1, ...factors], 'scales');
  const shape = [x.shape[0] as Dim, x.shape[1] as Dim, h * factors[0], w * factors[1]];
  // Output pixel i reads input floor(i / factor): each input value fills its block.
  const attributes = {
    mode: attr.string('nearest'),
    coordinate_transformation_mode: attr.string('asymmetric'),
    nearest_mode: attr.string('floor'),
  };
  return g.node('Resize', [x, roi, scales], [{ type: x.type, shape }], attributes)[0] as Value;
}

/** `x` [N, C, H, W] with `extra` zero rows and columns added at the bottom and right. */
export function padEnd(g: GraphBuilder, x: Value, extra: Pair): Value {
  const [h, w] = spatial('Pad', x);
  const shape = [x.shape[0] as Dim, x.shape[1] as Dim, h + extra[0], w + extra[1]];
  return g.node('Pad', [x, int64s(g, [0, 0, 0, 0, 0, 0, extra[0], extra[1]])], [{ type: x.type, shape }])[0] as Value;
}
