import { createRegistry, type DataIter, evaluateAccuracy, loadBackend, presetLayers, sequentialOf, trainEpochCh3 } from '@xbackend/core';
import { peakRssBytes } from './peak-memory.js';
import type { EpochRecord, ProgressMessage, RunMeasurement, RunRequest } from './protocol.js';
import { timeTrainSteps } from './step-timer.js';

/**
 * The book's §3.7 script on one adapter: `loadBackend`, Sequential(Flatten, Linear), N(0, std) init,
 * CrossEntropyLoss('none'), SGD, core's `trainEpochCh3` + `evaluateAccuracy`; warm-up epochs first, then the
 * measured ones, each timed, with every trainStep timed inside them.
 */
export async function measureAdapter(
  request: RunRequest,
  data: { train: DataIter; test: DataIter },
  onProgress: (message: ProgressMessage) => void,
): Promise<RunMeasurement> {
  const { train, test } = data;

  onProgress({ type: 'progress', phase: 'build' });
  const buildStart = performance.now();
  const loaded = await loadBackend(request.backend, {
    ...(request.engine === undefined ? {} : { engine: request.engine }),
    seed: request.seed,
    // The parent's registry and resolution base, so the child finds the backend the parent planned.
    registry: createRegistry(request.registry),
    resolveFrom: request.resolveFrom,
    ...(request.threads === undefined ? {} : { threads: request.threads }),
  });
  try {
    const { nn, init, loss, optim } = loaded;
    const net = sequentialOf(nn, presetLayers('softmax', train.sampleShape, train.numClasses));
    net.apply(init.normal({ std: request.initStd }));
    await net.compile(train.sampleShape, train.numClasses);
    const buildMs = performance.now() - buildStart;

    const lossFn = loss.CrossEntropyLoss({ reduction: 'none' });
    const trainer = optim.SGD(net.parameters(), { lr: request.lr });
    const timer = timeTrainSteps(net);
    const totalEpochs = request.warmupEpochs + request.epochs;
    const epochs: EpochRecord[] = [];
    for (let epoch = 0; epoch < totalEpochs; epoch++) {
      const warmup = epoch < request.warmupEpochs;
      const phase = warmup ? 'warmup' : 'measure';
      timer.recording = !warmup;
      const trainStart = performance.now();
      const { trainLoss, trainAcc } = await trainEpochCh3(net, train, lossFn, trainer, epoch, (event) => {
        if (event.type === 'batch') {
          onProgress({ type: 'progress', phase, epoch: epoch + 1, totalEpochs, batch: event.batch, numBatches: event.numBatches });
        }
      });
      const trainMs = performance.now() - trainStart;
      const evalStart = performance.now();
      const testAcc = await evaluateAccuracy(net, test);
      epochs.push({ warmup, trainLoss, trainAcc, testAcc, trainMs, evalMs: performance.now() - evalStart });
    }
    await net.dispose();
    const { backend } = loaded;
    return {
      backend: backend.name,
      engine: backend.engine,
      dtype: backend.dtype,
      details: backend.details,
      numTrainExamples: train.numExamples,
      numTestExamples: test.numExamples,
      numBatches: train.numBatches,
      buildMs,
      epochs,
      stepMs: timer.stepMs,
      ...(timer.firstStepMs === undefined ? {} : { firstStepMs: timer.firstStepMs }),
      peakRssBytes: peakRssBytes(),
    };
  } finally {
    await loaded.dispose();
  }
}
