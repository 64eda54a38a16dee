/** Checks over one epoch of the book's softmax regression on the real data (235 batches of 256, the last of 96). */
import { D2L_DEFAULTS, evaluateAccuracy, type ParameterTensor, trainEpochCh3 } from '@xbackend/core';
import { buildNet, once, type ParityCheck } from './check.js';
import { fashionMnist } from './data.js';
import { type EngineRef, withEngine } from './engine-ref.js';
import { maxRelativeError, updateError } from './measures.js';
import { ORACLE } from './oracle.js';

interface EpochRun {
  /** The running train loss after each batch (d2l's Accumulator), as trainEpochCh3 reports it. */
  readonly curve: number[];
  readonly start: ParameterTensor[];
  readonly trained: ParameterTensor[];
  /** Test accuracy of the trained weights, evaluated on the same engine. */
  readonly testAcc: number;
}

/** One epoch of d2l's train_epoch_ch3 (lr 0.1, reduction 'none'), shared by the epoch checks of an engine. */
function epochRun(ref: EngineRef): Promise<EpochRun> {
  return once(ref, 'epoch', async () => {
    const [train, test] = await fashionMnist(D2L_DEFAULTS.batchSize);
    return withEngine(ref, D2L_DEFAULTS.seed, async (loaded) => {
      const net = buildNet(loaded, 'softmax');
      const start = await net.stateDict();
      const curve: number[] = [];
      const sgd = loaded.optim.SGD(net.parameters(), { lr: D2L_DEFAULTS.lr });
      await trainEpochCh3(net, train, loaded.loss.CrossEntropyLoss({ reduction: 'none' }), sgd, 0, (event) => {
        if (event.type === 'batch') curve.push(event.trainLoss);
      });
      return { curve, start, trained: await net.stateDict(), testAcc: await evaluateAccuracy(net, test) };
    });
  });
}

/** Test accuracy of `weights` evaluated on `ref`. */
async function accuracyOf(ref: EngineRef, weights: readonly ParameterTensor[]): Promise<number> {
  const [, test] = await fashionMnist(D2L_DEFAULTS.batchSize);
  return withEngine(ref, 0, async (loaded) => {
    const net = buildNet(loaded, 'softmax');
    await net.loadStateDict(weights);
    return evaluateAccuracy(net, test);
  });
}

export const epochCurveCheck: ParityCheck = {
  name: 'epochCurve',
  title: 'follows the same train-loss curve over one epoch of the real data (235 batches, the last partial one included)',
  relativeTo: "the reference's running train loss after the same batch",
  async measure(ref) {
    const [actual, expected] = [await epochRun(ref), await epochRun(ORACLE)];
    return maxRelativeError(actual.curve, expected.curve);
  },
};

export const epochWeightsCheck: ParityCheck = {
  name: 'epochWeights',
  title: 'ends that epoch with the same weights',
  relativeTo: 'the largest |distance the reference weights moved| over the epoch',
  async measure(ref) {
    const [actual, expected] = [await epochRun(ref), await epochRun(ORACLE)];
    return updateError(actual.trained, expected.trained, expected.start);
  },
};

export const crossEvaluationCheck: ParityCheck = {
  name: 'crossEvaluation',
  title: 'trained on one backend, evaluated on the other: the same test accuracy both ways',
  relativeTo: 'absolute, as a fraction of the 10 000 test images (0.0001 is one image)',
  async measure(ref) {
    const [here, oracle] = [await epochRun(ref), await epochRun(ORACLE)];
    const hereOnOracle = await accuracyOf(ORACLE, here.trained);
    const oracleHere = await accuracyOf(ref, oracle.trained);
    return Math.max(Math.abs(hereOnOracle - here.testAcc), Math.abs(oracleHere - oracle.testAcc));
  },
};
