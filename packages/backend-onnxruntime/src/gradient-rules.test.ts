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
}

const f = (...shape: Dim[]): InputSpec => ({ shape });
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
  const values = c.inputs.map((spec, i) => g.input(`in${i}`, spec.constant?.type ?? 'float64', spec.shape));
  const out = c.build(g, values);
  expect(
    g.nodes.some((n) => n.op === c.op),
    `${c.name} builds a ${c.op} node`,
  ).toBe(true);
  // A random cotangent r makes loss = Σ out·r, so the check sees every output element with a different weight.
  const r = g.input('r', out.type, out.shape);
  const loss = op.reduceSum(g, op.mul(g, out, r), undefined, false);
  const wrt = values.filter((_, i) => !c.inputs[i]?.constant);
  const grads = gradients(g, loss, wrt);
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
      feeds[`in${i}`] = new ort.Tensor(
        'float64',
        Float64Array.from({ length: size }, () => (c.op === 'Relu' ? Math.sign(draw()) * (0.2 + rng.uniform()) : draw())),
        dims,
      );
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
    const analytic = result[`grad${wrtIndex++}`]?.data as Float64Array;
    const x = feeds[`in${i}`]?.data as Float64Array;
    expect(analytic.length).toBe(x.length);
    for (let k = 0; k < x.length; k++) {
      const saved = x[k] as number;
      x[k] = saved + h;
      const plus = await lossAt();
      x[k] = saved - h;
      const minus = await lossAt();
      x[k] = saved;
      const numeric = (plus - minus) / (2 * h);
      worst = Math.max(worst, Math.abs((analytic[k] as number) - numeric) / (rtol + rtol * Math.abs(numeric)));
      checked++;
    }
  }
  await session.release();
  return { worst, checked };
}

describe('gradient rules against central finite differences (float64 on onnxruntime CPU)', () => {
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
