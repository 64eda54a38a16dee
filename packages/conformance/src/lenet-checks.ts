/**
 * §7.6's LeNet against the float64 oracle: logits, one step, a few hundred steps, and the edges of the window layers
 * and of Sigmoid (odd sizes, strides, padding, max-pool ties, saturation). The book's full 10-epoch LeNet run is checked
 * on onnxruntime and tfjs/wasm by lenet-script.test.ts; on slower engines it is measured in the bench.
 */
import type { LayerSpec, ParameterTensor } from '@xbackend/core';
import { buildNet, once, type ParityCheck, SEEDS, worst } from './check.js';
import { batchAt, batchRange, fashionMnist } from './data.js';
import { type EngineRef, withEngine } from './engine-ref.js';
import { compareForward, type Forward, forwardPasses, initialWeights, logitsError, lossesError } from './forward-checks.js';
import { scaledError, updateError } from './measures.js';
import { ORACLE } from './oracle.js';
import { compareRuns, stepError, train, WEIGHT_DECAY } from './step-checks.js';

/** §7.6's learning rate. */
const LENET_LR = 0.9;

/** Test batch 0 of 256 and the last, partial one (16 examples). */
const lenetPasses = (ref: EngineRef) => forwardPasses(ref, 'lenetForward', ['lenet'], (test) => [batchAt(test, 0), batchAt(test, -1)]);

export const lenetLogitsCheck: ParityCheck = {
  name: 'lenetLogits',
  title:
    'starts LeNet from the same Xavier weights and gives the same logits, losses and loss sums (seeds 0–2, test batch 0 and the last, partial one)',
  relativeTo:
    'the largest |logit| (losses: the largest loss; loss sums: the sum) of the reference on that batch; the initial weights: the largest |weight| (exact where the upload is right)',
  async measure(ref) {
    const starts: number[] = [];
    for (const seed of SEEDS) {
      const expected = await once(ORACLE, `init|${seed}|lenet`, () => initialWeights(ORACLE, seed, 'lenet'));
      starts.push(scaledError(await initialWeights(ref, seed, 'lenet'), expected));
    }
    const forward = await compareForward(ref, lenetPasses, (a, e) => Math.max(logitsError(a, e), lossesError(a, e)));
    return worst([...starts, forward]);
  },
};

export const lenetStepCheck: ParityCheck = {
  name: 'lenetStep',
  title: `takes the same LeNet SGD step, lr ${LENET_LR}, weight decay ${WEIGHT_DECAY} (seeds 0–2, train batches 0, 117 and the last, partial one)`,
  relativeTo: 'the largest |update| of the reference step (loss sums: the reference sum)',
  measure: (ref) => stepError(ref, 'lenetStep', ['lenet'], { lr: LENET_LR, weightDecay: WEIGHT_DECAY }),
};

/**
 * Steps of the LeNet run: the book's lr, batches of 64 (a quarter of the book's, so that the oracle's float64 loops
 * take seconds, not minutes, per engine). LeNet's loss stays near log 10 for these steps (the book's first epoch), where
 * small differences could grow: following the oracle through them is the point.
 */
export const LENET_STEPS = 200;

export const lenetRunCheck: ParityCheck = {
  name: 'lenetRun',
  title: `trains LeNet for ${LENET_STEPS} steps of 64 at lr ${LENET_LR} along the same path (loss every step, weights every 20 steps)`,
  relativeTo: 'the reference loss sum of each step, and the largest |distance the reference weights moved| at each checkpoint',
  async measure(ref) {
    const [train64] = await fashionMnist(64);
    const batches = batchRange(train64, 0, LENET_STEPS);
    return compareRuns(ref, 'lenetRun', (r) => train(r, 0, 'lenet', { lr: LENET_LR, weightDecay: 0 }, batches, 20));
  },
};

/**
 * Window layers at their edges, on 28×28 images: a strided, padded, rectangular first Conv2d whose output has an odd
 * height (13), max pooling that drops its last row and meets ties (the images' blank borders give equal values, and
 * the gradient must go to the first of them), a second Conv2d with stride 2 and padding whose input gradient does not
 * divide evenly (6 + 2 − 3 is odd), and an average pool with overlapping windows of 2×3.
 */
export const ODD_WINDOWS: readonly LayerSpec[] = [
  { kind: 'conv2d', inChannels: 1, outChannels: 3, kernelSize: [5, 3], stride: [2, 1], padding: [1, 0] }, // [3, 13, 26]
  { kind: 'maxpool2d', kernelSize: [2, 2], stride: [2, 2] }, // [3, 6, 13]
  { kind: 'sigmoid' },
  { kind: 'conv2d', inChannels: 3, outChannels: 4, kernelSize: [3, 2], stride: [2, 2], padding: [1, 1] }, // [4, 3, 7]
  { kind: 'relu' },
  { kind: 'avgpool2d', kernelSize: [2, 3], stride: [1, 2] }, // [4, 2, 3]
  { kind: 'flatten' },
  { kind: 'linear', inFeatures: 24, outFeatures: 10 },
];

const oddPasses = (ref: EngineRef) => forwardPasses(ref, 'oddForward', [ODD_WINDOWS], (test) => [batchAt(test, 0), batchAt(test, -1)]);

export const oddWindowsCheck: ParityCheck = {
  name: 'oddWindows',
  title:
    "gives the same logits, losses and SGD step at the window layers' edges (odd sizes, strides, padding, rectangular and overlapping windows, max-pool ties; seeds 0–2)",
  relativeTo: 'the largest |logit| / loss of the reference (steps: the largest |update| of the reference step)',
  async measure(ref) {
    const forward = await compareForward(ref, oddPasses, (a, e) => Math.max(logitsError(a, e), lossesError(a, e)));
    const step = await stepError(ref, 'oddStep', [ODD_WINDOWS], { lr: 0.1, weightDecay: WEIGHT_DECAY });
    return worst([forward, step]);
  },
};

/**
 * How much LeNet's Xavier weights are scaled to saturate its sigmoids: pre-activations reach the hundreds, where
 * float32's sigmoid is exactly 0 or 1, a naive `1 / (1 + exp(−x))` overflows `exp` for x < −89, and its gradient
 * `s·(1 − s)` vanishes.
 */
const SATURATION = 100;

interface SaturatedRun {
  readonly forward: Forward;
  readonly start: ParameterTensor[];
  readonly after: ParameterTensor[];
}

function saturatedRun(ref: EngineRef): Promise<SaturatedRun> {
  return once(ref, 'saturated', async () => {
    const [, test] = await fashionMnist(256);
    const batch = batchAt(test, 0);
    return withEngine(ref, 0, async (loaded) => {
      const net = buildNet(loaded, 'lenet');
      const scaled = (await net.stateDict()).map((p) => ({ ...p, data: p.data.map((v) => Math.fround(SATURATION * v)) }));
      await net.loadStateDict(scaled);
      const forward: Forward = {
        logits: await net.forward(batch),
        losses: await net.losses(batch),
        lossSum: (await net.evaluate(batch)).lossSum,
      };
      const start = await net.stateDict();
      await net.trainStep(batch, { lr: 1e-3, weightDecay: 0 });
      return { forward, start, after: await net.stateDict() };
    });
  });
}

export const saturatedSigmoidCheck: ParityCheck = {
  name: 'saturatedSigmoid',
  title: `keeps LeNet finite and exact with saturated sigmoids (Xavier weights × ${SATURATION}): logits, losses and one step`,
  relativeTo: 'the largest |logit| / loss of the reference (the step: the largest |update| of the reference step)',
  async measure(ref) {
    const [actual, expected] = [await saturatedRun(ref), await saturatedRun(ORACLE)];
    return worst([
      logitsError(actual.forward, expected.forward),
      lossesError(actual.forward, expected.forward),
      updateError(actual.after, expected.after, expected.start),
    ]);
  },
};
