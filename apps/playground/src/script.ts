// The book's script: the lines of examples/concise-softmax-regression.ts (concise-mlp.ts, lenet.ts), with the page's
// model, its hyperparameters, a registry of loaders (a bundler must see each framework's import) and hooks for the page.
// The net is core's preset of the model: the layers the examples write out (examples/lenet.test.ts checks LeNet's).
import {
  type Backend,
  type EpochMetrics,
  loadBackend,
  type Module,
  PRESET_TRAINING,
  type Profiler,
  presetLayers,
  sequentialOf,
  type TrainEvent,
  trainCh3,
} from '@xbackend/core';
import { loadDataFashionMnist, type WebLoadProgress } from '@xbackend/datasets';
import { registry } from './registry.ts';
import type { RunConfig } from './run-config.ts';

export interface ScriptHooks {
  /** Core's timing hook: the worker times every train step and each test evaluation with it. */
  readonly profiler: Profiler;
  onBackend(backend: Backend): void;
  onData(progress: WebLoadProgress): void;
  onEvent(event: TrainEvent): void;
  /** Awaited by the training loop, so the parameters it reads are those at the end of this epoch. */
  afterEpoch(metrics: EpochMetrics, net: Module): Promise<void>;
}

export async function runScript(config: RunConfig, hooks: ScriptHooks) {
  const { nn, loss, optim, backend } = await loadBackend(config.backend, {
    registry,
    seed: config.seed,
    profiler: hooks.profiler,
    ...(config.threads === undefined ? {} : { threads: config.threads }),
  });
  hooks.onBackend(backend);

  const batchSize = config.batchSize;
  const [trainIter, testIter] = await loadDataFashionMnist(batchSize, {
    seed: config.seed,
    baseUrl: config.dataUrl,
    onProgress: hooks.onData,
    ...(config.verifyData === false ? { checksums: false as const } : {}),
  });

  const net = sequentialOf(nn, presetLayers(config.model, trainIter.sampleShape, trainIter.numClasses));
  net.apply(PRESET_TRAINING[config.model].initializer());

  const lossFn = loss.CrossEntropyLoss({ reduction: 'none' });
  const trainer = optim.SGD(net.parameters(), { lr: config.lr });

  const numEpochs = config.epochs;
  await trainCh3(net, trainIter, testIter, lossFn, numEpochs, trainer, {
    onEvent: hooks.onEvent,
    afterEpoch: async (metrics) => void (await hooks.afterEpoch(metrics, net)),
    log: false,
    // One epoch is too short for d2l's end-of-training asserts; the page shows the numbers instead.
    sanityChecks: 'off',
  });
  return { net, testIter };
}
