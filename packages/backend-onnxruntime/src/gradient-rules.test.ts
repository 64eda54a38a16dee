import { Rng } from '@xbackend/core';
import type * as OrtModule from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { gradients } from './autodiff.js';
import { gradientRules } from './gradient-rules.js';
import { type Dim, type ElemType, GraphBuilder, type Value } from './graph.js';
import * as op from './ops.js';
import { loadOrt } from './ort.js';

/** How a test input is drawn; gradients are checked for every input not marked `constant`. */
interface InputSpec {
  readonly shape: readonly Dim[];
  /** Values (0.5, 2) instead of (−1, 1): for Log and divisors. */
  readonly positive?: boolean;
  /** Fixed values (e.g. indices, conditions), not differentiated. */
  readonly constant?: { readonly type: ElemType; readonly values: readonly number[] };
  /** Fixed values that are differentiated (e.g. saturating sigmoid inputs). */
  readonly values?: readonly number[];
}

interface GradCase {
  readonly name: string;
  /** The op whose rule this case checks (it must appear in the forward graph). */
  readonly op: string;
  readonly inputs: readonly InputSpec[];
  readonly build: (g: GraphBuilder, inputs: Value[]) => Value;
  /** Run-time sizes of symbolic dims. */
  readonly symbols?: Readonly<Record<string, number>>;
  readonly step?: number;
  readonly rtol?: number;
  /**
   * 'float32' for ops onnxruntime's CPU provider has no float64 kernel for (Conv, ConvTranspose, AveragePool). They are
   * linear in each input, so a central difference is exact whatever the step: a large step (`step`) leaves only float32
   * rounding, and the loss Σ out·r is summed in float64.
   */
  readonly dtype?: 'float32';
  /** Ops the gradient must contain: the branch of the rule this case takes. */
  readonly gradientOps?: readonly string[];
}

const f = (...shape: Dim[]): InputSpec => ({ shape });
const fixed = (shape: Dim[], values: readonly number[]): InputSpec => ({ shape, values });

/**
 * float32 window ops: a step of 1/2 (exact for a linear loss). The worst error measured, |analytic − numeric| /
 * (1 + |numeric|), was 2.0e-6 (float32 sums of up to 126 products on both sides); the limit is 10× that.
 */
const linear32 = { dtype: 'float32', step: 0.5, rtol: 2e-5 } as const;
const positive = (...shape: Dim[]): InputSpec => ({ shape, positive: true });

const cases: GradCase[] = [
  { name: 'Identity', op: 'Identity', inputs: [f(3, 4)], build: (g, [a]) => op.identity(g, a as Value) },
  { name: 'Neg', op: 'Neg', inputs: [f(3, 4)], build: (g, [a]) => op.neg(g, a as Value) },
  { name: 'Add same shape', op: 'Add', inputs: [f(3, 4), f(3, 4)], build: (g, [a, b]) => op.add(g, a as Value, b as Value) },
  { name: 'Add broadcast row', op: 'Add', inputs: [f(3, 4), f(4)], build: (g, [a, b]) => op.add(g, a as Value, b as Value) },
  {
    name: 'Add broadcast column + symbolic batch',
    op: 'Add',
    inputs: [f('N', 4), f('N', 1)],
    symbols: { N: 3 },
    build: (g, [a, b]) => op.add(g, a as Value, b as Value),
  },
  { name: 'Add scalar', op: 'Add', inputs: [f(), f(2, 3)], build: (g, [a, b]) => op.add(g, a as Value, b as Value) },
  { name: 'Sub broadcast', op: 'Sub', inputs: [f(3, 4), f(3, 1)], build: (g, [a, b]) => op.sub(g, a as Value, b as Value) },
  { name: 'Mul broadcast', op: 'Mul', inputs: [f(3, 4), f(1, 4)], build: (g, [a, b]) => op.mul(g, a as Value, b as Value) },
  { name: 'Mul self', op: 'Mul', inputs: [f(3, 4)], build: (g, [a]) => op.mul(g, a as Value, a as Value) },
  { name: 'Div broadcast', op: 'Div', inputs: [f(3, 4), positive(4)], build: (g, [a, b]) => op.div(g, a as Value, b as Value) },
  { name: 'Exp', op: 'Exp', inputs: [f(3, 4)], build: (g, [a]) => op.exp(g, a as Value) },
  { name: 'Log', op: 'Log', inputs: [positive(3, 4)], build: (g, [a]) => op.log(g, a as Value) },
  { name: 'Relu', op: 'Relu', inputs: [f(4, 5)], build: (g, [a]) => op.relu(g, a as Value) },
  { name: 'Sigmoid', op: 'Sigmoid', inputs: [f(3, 5)], build: (g, [a]) => op.sigmoid(g, a as Value) },
  {
    // Where s rounds to 0 or 1 the gradient must be exactly 0 (a formula through exp(−x) would give NaN at −800).
    name: 'Sigmoid saturated',
    op: 'Sigmoid',
    inputs: [fixed([2, 6], [-800, -40, -12, -3, -0.5, 0, 0.7, 4, 12, 37, 40, 800])],
    build: (g, [a]) => op.sigmoid(g, a as Value),
  },
  {
    name: 'Conv stride 2×3, padding 1×0, kernel 3×2, leftover row and column (weight, bias and input)',
    op: 'Conv',
    inputs: [f(2, 3, 8, 9), f(4, 3, 3, 2), f(4)],
    build: (g, [x, w, b]) => op.conv(g, x as Value, w as Value, b, { strides: [2, 3], pads: [1, 0, 1, 0] }),
    // The leftover column exceeds the padding: the weight gradient's Conv is cut to the kernel by a Slice.
    gradientOps: ['ConvTranspose', 'Slice'],
    ...linear32,
  },
  {
    name: "Conv as LeNet's first layer (kernel 5, padding 2), symbolic batch",
    op: 'Conv',
    inputs: [f('N', 2, 6, 7), f(3, 2, 5, 5), f(3)],
    symbols: { N: 3 },
    build: (g, [x, w, b]) => op.conv(g, x as Value, w as Value, b, { strides: [1, 1], pads: op.symmetricPads([2, 2]) }),
    ...linear32,
  },
  {
    name: 'Conv without bias, stride 3, kernel 2, two leftover rows',
    op: 'Conv',
    inputs: [f(2, 2, 9, 6), f(3, 2, 2, 2)],
    build: (g, [x, w]) => op.conv(g, x as Value, w as Value, undefined, { strides: [3, 2], pads: [0, 1, 0, 1] }),
    ...linear32,
  },
  {
    name: "AveragePool LeNet's 2×2 stride 2 on odd sizes (leftover row and column)",
    op: 'AveragePool',
    inputs: [f('N', 3, 7, 9)],
    symbols: { N: 2 },
    build: (g, [x]) => op.averagePool(g, x as Value, { kernel: [2, 2], strides: [2, 2] }),
    gradientOps: ['Resize', 'Pad'],
    ...linear32,
  },
  {
    name: 'AveragePool 3×2 stride 3×2 (tiling exactly)',
    op: 'AveragePool',
    inputs: [f(2, 2, 6, 8)],
    build: (g, [x]) => op.averagePool(g, x as Value, { kernel: [3, 2], strides: [3, 2] }),
    gradientOps: ['Resize'],
    ...linear32,
  },
  {
    name: 'AveragePool 3×2 stride 2×3 (overlapping rows, skipped columns)',
    op: 'AveragePool',
    inputs: [f(2, 2, 8, 9)],
    build: (g, [x]) => op.averagePool(g, x as Value, { kernel: [3, 2], strides: [2, 3] }),
    gradientOps: ['ConvTranspose'],
    ...linear32,
  },
  {
    name: 'MaxPool 2×2 stride 2 on odd sizes, symbolic batch',
    op: 'MaxPool',
    inputs: [f('N', 3, 7, 9)],
    symbols: { N: 2 },
    build: (g, [x]) => op.maxPool(g, x as Value, { kernel: [2, 2], strides: [2, 2] }, true).y,
  },
  {
    name: 'MaxPool 3×3 stride 2×1 (overlapping windows accumulate), without the Indices output',
    op: 'MaxPool',
    inputs: [f(2, 2, 7, 6)],
    build: (g, [x]) => op.maxPool(g, x as Value, { kernel: [3, 3], strides: [2, 1] }).y,
  },
  {
    name: 'Flatten',
    op: 'Flatten',
    inputs: [f('N', 2, 3)],
    symbols: { N: 2 },
    build: (g, [a]) => op.mul(g, op.flatten(g, a as Value, 1), op.scalar(g, 'float64', 1.5)),
  },
  { name: 'Reshape', op: 'Reshape', inputs: [f(3, 4)], build: (g, [a]) => op.reshape(g, a as Value, [2, -1]) },
  { name: 'Squeeze', op: 'Squeeze', inputs: [f(3, 1)], build: (g, [a]) => op.squeeze(g, a as Value, [1]) },
  { name: 'Unsqueeze', op: 'Unsqueeze', inputs: [f(3, 2)], build: (g, [a]) => op.unsqueeze(g, a as Value, [0]) },
  {
    name: 'Expand',
    op: 'Expand',
    inputs: [f(3, 1), f(3, 4)],
    build: (g, [a, b]) => op.mul(g, op.expandLike(g, a as Value, b as Value), b as Value),
  },
  {
    name: 'Cast float64 → float32 → float64',
    op: 'Cast',
    inputs: [f(3, 4)],
    build: (g, [a]) => op.cast(g, op.mul(g, op.cast(g, a as Value, 'float32'), op.scalar(g, 'float32', 2)), 'float64'),
    step: 1e-2,
    rtol: 1e-4,
  },
  { name: 'MatMul', op: 'MatMul', inputs: [f(3, 4), f(4, 2)], build: (g, [a, b]) => op.matMul(g, a as Value, b as Value) },
  ...[false, true].flatMap((transA) =>
    [false, true].map(
      (transB): GradCase => ({
        name: `Gemm transA=${transA} transB=${transB} alpha beta, bias row`,
        op: 'Gemm',
        inputs: [f(...(transA ? [4, 3] : [3, 4])), f(...(transB ? [2, 4] : [4, 2])), f(2)],
        build: (g, [a, b, c]) => op.gemm(g, a as Value, b as Value, c, { transA, transB, alpha: 0.7, beta: 1.3 }),
      }),
    ),
  ),
  {
    name: 'Gemm bias column, symbolic batch',
    op: 'Gemm',
    inputs: [f('N', 4), f(2, 4), f('N', 1)],
    symbols: { N: 3 },
    build: (g, [a, b, c]) => op.gemm(g, a as Value, b as Value, c, { transB: true }),
  },
  {
    name: 'Gemm full [M, N] bias',
    op: 'Gemm',
    inputs: [f(3, 4), f(4, 2), f(3, 2)],
    build: (g, [a, b, c]) => op.gemm(g, a as Value, b as Value, c),
  },
  { name: 'ReduceSum axis 1 keepdims', op: 'ReduceSum', inputs: [f(3, 4)], build: (g, [a]) => op.reduceSum(g, a as Value, [1], true) },
  {
    name: 'ReduceSum axis 0 no keepdims',
    op: 'ReduceSum',
    inputs: [f(3, 4, 2)],
    build: (g, [a]) => op.reduceSum(g, a as Value, [0, 2], false),
  },
  {
    name: 'ReduceSum all',
    op: 'ReduceSum',
    inputs: [f(3, 4)],
    build: (g, [a]) => op.mul(g, op.reduceSum(g, a as Value, undefined, false), a as Value),
  },
  { name: 'ReduceMean axis 0', op: 'ReduceMean', inputs: [f(3, 4)], build: (g, [a]) => op.reduce(g, 'ReduceMean', a as Value, [0], false) },
  {
    name: 'ReduceMean symbolic batch',
    op: 'ReduceMean',
    inputs: [f('N', 4)],
    symbols: { N: 5 },
    build: (g, [a]) => op.reduce(g, 'ReduceMean', a as Value, [0], true),
  },
  { name: 'ReduceMax axis 1', op: 'ReduceMax', inputs: [f(3, 4)], build: (g, [a]) => op.reduce(g, 'ReduceMax', a as Value, [1], false) },
  {
    name: 'ReduceMax all keepdims',
    op: 'ReduceMax',
    inputs: [f(3, 4)],
    build: (g, [a]) => op.reduce(g, 'ReduceMax', a as Value, undefined, true),
  },
  { name: 'LogSoftmax', op: 'LogSoftmax', inputs: [f(3, 5)], build: (g, [a]) => op.logSoftmax(g, a as Value, 1) },
  { name: 'Softmax', op: 'Softmax', inputs: [f(3, 5)], build: (g, [a]) => op.softmax(g, a as Value, 1) },
  {
    name: 'GatherElements (repeated indices accumulate)',
    op: 'GatherElements',
    inputs: [f(3, 4), { shape: [3, 2], constant: { type: 'int64', values: [0, 0, 3, 1, 2, 2] } }],
    build: (g, [a, idx]) => op.gatherElements(g, a as Value, idx as Value, 1),
  },
  {
    name: 'Where',
    op: 'Where',
    inputs: [{ shape: [3, 4], constant: { type: 'bool', values: [1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1] } }, f(3, 4), f(4)],
    build: (g, [c, a, b]) => op.where(g, c as Value, a as Value, b as Value),
  },
  {
    name: 'cross-entropy chain (ReduceMax, Sub, Exp, ReduceSum, Log, GatherElements, Squeeze, Div)',
    op: 'GatherElements',
    inputs: [f('N', 5), { shape: ['N', 1], constant: { type: 'int64', values: [4, 0, 2] } }],
    symbols: { N: 3 },
    build: (g, [z, labels]) => {
      const zv = z as Value;
      const shifted = op.sub(g, zv, op.reduce(g, 'ReduceMax', zv, [1], true));
      const logProbs = op.sub(g, shifted, op.log(g, op.reduceSum(g, op.exp(g, shifted), [1], true)));
      const losses = op.squeeze(g, op.neg(g, op.gatherElements(g, logProbs, labels as Value, 1)), [1]);
      return op.div(g, op.reduceSum(g, losses, undefined, false), op.cast(g, op.sizeOf(g, losses), 'float64'));
    },
  },
];

function resolve(shape: readonly Dim[], symbols: Readonly<Record<string, number>>): number[] {
  return shape.map((d) => {
    if (typeof d === 'number') return d;
    return d.split('*').reduce((acc, part) => acc * (symbols[part] ?? Number(part)), 1);
  });
}

async function checkGradients(ort: typeof OrtModule, c: GradCase): Promise<{ worst: number; checked: number }> {
  const symbols = c.symbols ?? {};
  const rng = Rng.seeded(7, c.name);
  const g = new GraphBuilder(`gradcheck ${c.name}`);
  const floatType = c.dtype ?? 'float64';
  const values = c.inputs.map((spec, i) => g.input(`in${i}`, spec.constant?.type ?? floatType, spec.shape));
  const out = op.cast(g, c.build(g, values), 'float64');
  expect(
    g.nodes.some((n) => n.op === c.op),
    `${c.name} builds a ${c.op} node`,
  ).toBe(true);
  // A random cotangent r makes loss = Σ out·r, so the check sees every output element with a different weight.
  const r = g.input('r', out.type, out.shape);
  const loss = op.reduceSum(g, op.mul(g, out, r), undefined, false);
  const wrt = values.filter((_, i) => !c.inputs[i]?.constant);
  const grads = gradients(g, loss, wrt);
  const gradientOps = new Set(g.nodes.filter((n) => n.name.startsWith('grad/')).map((n) => n.op));
  for (const name of c.gradientOps ?? []) expect(gradientOps, `${c.name}: the gradient uses ${name}`).toContain(name);
  g.output(loss, 'loss');
  for (const [i, grad] of grads.entries()) g.output(grad, `grad${i}`);
  const session = await ort.InferenceSession.create(g.encode(), { logSeverityLevel: 4 });

  const feeds: Record<string, OrtModule.Tensor> = {};
  c.inputs.forEach((spec, i) => {
    const dims = resolve(spec.shape, symbols);
    const size = dims.reduce((a, b) => a * b, 1);
    if (spec.constant?.type === 'int64') feeds[`in${i}`] = new ort.Tensor('int64', BigInt64Array.from(spec.constant.values, BigInt), dims);
    else if (spec.constant?.type === 'bool') feeds[`in${i}`] = new ort.Tensor('bool', Uint8Array.from(spec.constant.values), dims);
    else {
      const draw = () => (spec.positive ? 0.5 + 1.5 * rng.uniform() : 2 * rng.uniform() - 1);
      // Keep Relu inputs away from the kink so central differences stay valid.
      const data =
        spec.values ?? Array.from({ length: size }, () => (c.op === 'Relu' ? Math.sign(draw()) * (0.2 + rng.uniform()) : draw()));
      feeds[`in${i}`] = new ort.Tensor(floatType, floatType === 'float32' ? Float32Array.from(data) : Float64Array.from(data), dims);
    }
  });
  // The cotangent's run-time shape is the output's, with symbols resolved.
  const rDims = resolve(out.shape, symbols);
  feeds.r = new ort.Tensor(
    'float64',
    Float64Array.from({ length: rDims.reduce((a, b) => a * b, 1) }, () => 2 * rng.uniform() - 1),
    rDims,
  );
  const result = await session.run(feeds);

  const lossAt = async (): Promise<number> => (await session.run(feeds, ['loss'])).loss?.data[0] as number;
  const h = c.step ?? 1e-5;
  const rtol = c.rtol ?? 1e-6;
  let worst = 0;
  let checked = 0;
  let wrtIndex = 0;
  for (let i = 0; i < c.inputs.length; i++) {
    if (c.inputs[i]?.constant) continue;
    const analytic = result[`grad${wrtIndex++}`]?.data as Float32Array | Float64Array;
    const x = feeds[`in${i}`]?.data as Float32Array | Float64Array;
    expect(analytic.length).toBe(x.length);
    for (let k = 0; k < x.length; k++) {
      const saved = x[k] as number;
      x[k] = saved + h;
      const [up, plus] = [x[k] as number, await lossAt()];
      x[k] = saved - h;
      const [down, minus] = [x[k] as number, await lossAt()];
      x[k] = saved;
      // Divided by the step as stored (a float32 input rounds x ± h).
      const numeric = (plus - minus) / (up - down);
      worst = Math.max(worst, Math.abs((analytic[k] as number) - numeric) / (rtol + rtol * Math.abs(numeric)));
      checked++;
    }
  }
  await session.release();
  return { worst, checked };
}

describe('gradient rules against central finite differences (onnxruntime CPU; float64, float32 for window ops)', () => {
  it('has a finite-difference case for every rule', () => {
    const covered = new Set(cases.map((c) => c.op));
    expect(Object.keys(gradientRules).filter((name) => !covered.has(name))).toEqual([]);
  });

  for (const c of cases) {
    it(c.name, async () => {
      const ort = await loadOrt();
      const { worst, checked } = await checkGradients(ort, c);
      expect(checked).toBeGreaterThan(0);
      expect(worst).toBeLessThan(1);
    });
  }
});

describe('MaxPool gradient on ties', () => {
  it('goes to the first largest value of each window in row-major order, as PyTorch', async () => {
    const ort = await loadOrt();
    // Two channels of 5×5 (the last row and column belong to no 2×2 window) with ties along a row, down a column, on a
    // diagonal and across the whole window.
    const rows = [
      ...['3 3 0 4 9', '1 2 1 4 9', '1 6 5 5 9', '6 0 5 5 9', '9 9 9 9 9'],
      ...['-2 -1 0 0 8', '-1 -2 0 -1 8', '-5 -3 7 1 8', '-3 -3 2 7 8', '8 8 8 8 8'],
    ];
    const x = rows.flatMap((row) => row.split(' ').map(Number));
    const g = new GraphBuilder('maxpool ties');
    const input = g.input('x', 'float64', [1, 2, 5, 5]);
    const cotangent = g.input('r', 'float64', [1, 2, 2, 2]);
    const loss = op.reduceSum(g, op.mul(g, op.maxPool(g, input, { kernel: [2, 2], strides: [2, 2] }, true).y, cotangent), undefined, false);
    g.output(gradients(g, loss, [input])[0] as Value, 'dx');
    const session = await ort.InferenceSession.create(g.encode(), { logSeverityLevel: 4 });
    const r = [1, 2, 3, 4, 5, 6, 7, 8];
    const out = await session.run({
      x: new ort.Tensor('float64', Float64Array.from(x), [1, 2, 5, 5]),
      r: new ort.Tensor('float64', Float64Array.from(r), [1, 2, 2, 2]),
    });
    await session.release();
    // PyTorch's rule, written out: each window's cotangent goes to its first maximum in row-major order.
    const expected = new Array<number>(x.length).fill(0);
    for (let c = 0; c < 2; c++)
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++) {
          let best = -1;
          for (let di = 0; di < 2; di++)
            for (let dj = 0; dj < 2; dj++) {
              const at = c * 25 + (2 * i + di) * 5 + 2 * j + dj;
              if (best < 0 || (x[at] as number) > (x[best] as number)) best = at;
            }
          expected[best] = (expected[best] as number) + (r[c * 4 + i * 2 + j] as number);
        }
    expect(Array.from(out.dx?.data as Float64Array)).toEqual(expected);
  });
});
