// Test helper: the page's script in Node, on the same seed: what a browser engine's run is compared with.
import { type EpochMetrics, loadBackend, type ParameterTensor, trainCh3 } from '@xbackend/core';
import { loadDataFashionMnist } from '@xbackend/datasets';

export interface RunSettings {
  readonly batchSize: number;
  readonly lr: number;
  readonly epochs: number;
  readonly seed: number;
}

export interface ScriptRun {
  readonly history: EpochMetrics[];
  /** Running train loss after every batch, epoch after epoch. */
  readonly curve: number[];
  readonly start: ParameterTensor[];
  readonly trained: ParameterTensor[];
}

/** The book's script (the page's script.ts, minus the page) on `backend` in this Node process. */
export async function runInNode(backend: string, s: RunSettings): Promise<ScriptRun> {
  const { nn, init, loss, optim, dispose } = await loadBackend(backend, { seed: s.seed });
  try {
    const [trainIter, testIter] = await loadDataFashionMnist(s.batchSize, { seed: s.seed });
    const net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10));
    net.apply(init.normal({ std: 0.01 }));
    const start = await net.stateDict();
    const lossFn = loss.CrossEntropyLoss({ reduction: 'none' });
    const trainer = optim.SGD(net.parameters(), { lr: s.lr });
    const curve: number[] = [];
    const { history } = await trainCh3(net, trainIter, testIter, lossFn, s.epochs, trainer, {
      onEvent: (event) => void (event.type === 'batch' && curve.push(event.trainLoss)),
      log: false,
      sanityChecks: 'off',
    });
    return { history, curve, start, trained: await net.stateDict() };
  } finally {
    await dispose();
  }
}
