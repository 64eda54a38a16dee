/** Checks of what a model computes before any training: initial weights, logits and per-example losses. */
import type { Batch, DataIter, LayerSpec, ModelPreset } from '@xbackend/core';
import { buildNet, once, type ParityCheck, SEEDS, worst } from './check.js';
import { batchAt, fashionMnist } from './data.js';
import { type EngineRef, withEngine } from './engine-ref.js';
import { flatParameters, maxAbsError, relativeError, scaledError } from './measures.js';
import { ORACLE } from './oracle.js';

const PRESETS: readonly ModelPreset[] = ['softmax', 'mlp'];

/** Test batches 0 and 17 of 256, and the last one (16 examples). */
const TEST_BATCHES = [0, 17, -1] as const;

export async function initialWeights(ref: EngineRef, seed: number, preset: ModelPreset): Promise<Float64Array> {
  const [, test] = await fashionMnist(256);
  return withEngine(ref, seed, async (loaded) => {
    const net = buildNet(loaded, preset);
    await net.forward(batchAt(test, 0)); // compiles: the weights are on the device now
    return flatParameters(await net.stateDict());
  });
}

export interface Forward {
  readonly logits: ArrayLike<number>;
  readonly losses: ArrayLike<number>;
  readonly lossSum: number;
}

/**
 * Logits, losses and evaluate()'s loss sum for every seed, model and test batch (`testBatches` picks them from the test
 * set of 256), in that order; computed once per engine under `key`.
 */
export function forwardPasses(
  ref: EngineRef,
  key: string,
  models: readonly (ModelPreset | readonly LayerSpec[])[],
  testBatches: (test: DataIter) => Batch[],
): Promise<Forward[]> {
  return once(ref, key, async () => {
    const [, test] = await fashionMnist(256);
    const batches = testBatches(test);
    const out: Forward[] = [];
    for (const seed of SEEDS) {
      await withEngine(ref, seed, async (loaded) => {
        for (const model of models) {
          const net = buildNet(loaded, model);
          for (const batch of batches) {
            out.push({ logits: await net.forward(batch), losses: await net.losses(batch), lossSum: (await net.evaluate(batch)).lossSum });
          }
        }
      });
    }
    return out;
  });
}

/** The worst `error` over `forwardPasses` of the engine against the oracle's. */
export async function compareForward(
  ref: EngineRef,
  passes: (r: EngineRef) => Promise<Forward[]>,
  error: (actual: Forward, expected: Forward) => number,
): Promise<number> {
  const [actual, expected] = [await passes(ref), await passes(ORACLE)];
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  return worst(actual.map((a, i) => error(a, expected[i] as Forward)));
}

/** Logits and losses against the reference: each relative to the largest reference value of the batch (sums: the sum). */
export const logitsError = (a: Forward, e: Forward) => scaledError(a.logits, e.logits);
export const lossesError = (a: Forward, e: Forward) => Math.max(scaledError(a.losses, e.losses), relativeError(a.lossSum, e.lossSum));

const chapterThreePasses = (ref: EngineRef) =>
  forwardPasses(ref, 'forward', PRESETS, (test) => TEST_BATCHES.map((index) => batchAt(test, index)));

export const initialWeightsCheck: ParityCheck = {
  name: 'initialWeights',
  title: 'starts from bit-identical weights (softmax and MLP, seeds 0–2)',
  relativeTo: 'absolute: any difference fails',
  async measure(ref) {
    const errors: number[] = [];
    for (const seed of SEEDS) {
      for (const preset of PRESETS) {
        const expected = await once(ORACLE, `init|${seed}|${preset}`, () => initialWeights(ORACLE, seed, preset));
        errors.push(maxAbsError(await initialWeights(ref, seed, preset), expected));
      }
    }
    return worst(errors);
  },
};

export const logitsCheck: ParityCheck = {
  name: 'logits',
  title: 'gives the same logits (softmax and MLP, seeds 0–2, test batches 0, 17 and the last, partial one)',
  relativeTo: 'the largest |logit| of the reference on that batch',
  measure: (ref) => compareForward(ref, chapterThreePasses, logitsError),
};

export const lossesCheck: ParityCheck = {
  name: 'losses',
  title: 'gives the same per-example losses and loss sums (same models and batches)',
  relativeTo: 'the largest reference loss of the batch (loss sums: the reference sum)',
  measure: (ref) => compareForward(ref, chapterThreePasses, lossesError),
};
