/** Softmax cross-entropy at the edges of float32: huge, opposite and equal logits must give exact, finite losses. */
import { numerics } from '@xbackend/core';
import { buildNet, type ParityCheck, worst } from './check.js';
import { batchAt, fashionMnist } from './data.js';
import { type EngineRef, withEngine } from './engine-ref.js';
import { flatParameters, relativeError, scaledError } from './measures.js';
import { headOf } from './random.js';

/** Zero weights and these biases make every image's logits equal the biases. [title, biases, label]. */
export const EXTREME_CASES: readonly (readonly [string, readonly number[], number])[] = [
  ['±1e4', [1e4, -1e4, 0, 0, 0, 0, 0, 0, 0, 5e3], 2],
  ['±3e38, label at the max', [3e38, -3e38, 0, 0, 0, 0, 0, 0, 0, 1], 0],
  ['±3e38, label at 0', [3e38, -3e38, 0, 0, 0, 0, 0, 0, 0, 1], 2],
  ['equal rows of 3e38', new Array(10).fill(3e38), 4],
  ['equal rows of -3e38', new Array(10).fill(-3e38), 7],
  ['equal rows of 0', new Array(10).fill(0), 9],
];

/** Losses are O(log 10) at least; a loss of 0 (label at a lone max) is compared on that scale. */
const LOSS_SCALE_FLOOR = Math.log(10);

async function caseError(ref: EngineRef, bias: readonly number[], label: number): Promise<number> {
  const [, test] = await fashionMnist(256);
  const four = headOf(batchAt(test, 0), 4);
  const batch = { ...four, y: new Int32Array(4).fill(label) };
  // The biases are stored as float32 (3e38 becomes 3.0000000054977558e38): the exact loss of those logits.
  const stored = Float32Array.from(bias);
  const expected = numerics.crossEntropy(stored, [label], 10)[0] as number;
  const scale = Math.max(Math.abs(expected), LOSS_SCALE_FLOOR);
  return withEngine(ref, 0, async (loaded) => {
    const net = buildNet(loaded, 'softmax');
    await net.loadStateDict([
      { name: '1.weight', shape: [10, 784], data: new Float32Array(7840) },
      { name: '1.bias', shape: [10], data: stored },
    ]);
    const losses = scaledError(await net.losses(batch), new Float64Array(4).fill(expected), scale);
    // One example: the float32 sum of four losses of 3e38 would itself overflow.
    const stats = await net.trainStep(headOf(batch, 1), { lr: 1e-3, weightDecay: 0 });
    const step = expected === 0 ? Math.abs(stats.lossSum) / scale : relativeError(stats.lossSum, expected);
    const finite = Number.isFinite(stats.lossSum) && flatParameters(await net.stateDict()).every(Number.isFinite);
    return finite ? Math.max(losses, step) : Number.POSITIVE_INFINITY;
  });
}

export const extremeLogitsCheck: ParityCheck = {
  name: 'extremeLogits',
  title: `keeps softmax cross-entropy finite and exact for extreme logits (${EXTREME_CASES.map(([t]) => t).join('; ')}), and a step on them finite`,
  relativeTo: 'the exact loss of the float32-stored logits (at least log 10); the step: finite parameters and its loss sum',
  async measure(ref) {
    const errors: number[] = [];
    for (const [, bias, label] of EXTREME_CASES) errors.push(await caseError(ref, bias, label));
    return worst(errors);
  },
};
