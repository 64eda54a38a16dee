import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, type DataIter, evaluateAccuracy, loadBackend, presetLayers, sequentialOf, trainEpochCh3 } from '@xbackend/core';
import { initializerOf, type RunEpoch, RunFilesWriter } from '@xbackend/runs';
import { EpochProfiler } from './epoch-profiler.js';
import { peakRssBytes } from './peak-memory.js';
import type { EpochRecord, ProgressMessage, RunMeasurement, RunRequest } from './protocol.js';
import { timeTrainSteps } from './step-timer.js';

/**
 * The book's script on one adapter: `loadBackend`, the model's Sequential (§3.7 softmax regression, §4.3 MLP or §7.6
 * LeNet), its init (N(0, std), or LeNet's xavierUniform), CrossEntropyLoss('none'), SGD, core's `trainEpochCh3` +
 * `evaluateAccuracy`; warm-up epochs first, then the measured ones. An epoch is its training pass plus the test evaluation, split by core's profiling hook into data,
 * compute, host reads, evaluation and the rest; every trainStep is timed too. After each epoch the run writes what
 * `xbackend train` writes, as it writes it (metrics.json and curves.svg through a RunFilesWriter, which writes them
 * atomically in the background) into a temporary folder, timed as `write`.
 */
export async function measureAdapter(
  request: RunRequest,
  data: { train: DataIter; test: DataIter },
  onProgress: (message: ProgressMessage) => void,
): Promise<RunMeasurement> {
  const { train, test } = data;

  onProgress({ type: 'progress', phase: 'build' });
  const buildStart = performance.now();
  const profiler = new EpochProfiler();
  const loaded = await loadBackend(request.backend, {
    ...(request.engine === undefined ? {} : { engine: request.engine }),
    seed: request.seed,
    profiler,
    ...(request.spinning === undefined ? {} : { spinning: request.spinning }),
    // The parent's registry and resolution base, so the child finds the backend the parent planned.
    registry: createRegistry(request.registry),
    resolveFrom: request.resolveFrom,
    ...(request.threads === undefined ? {} : { threads: request.threads }),
  });
  let runDir: string | undefined;
  try {
    runDir = await mkdtemp(join(tmpdir(), 'xbackend-bench-run-'));
    const files = new RunFilesWriter(runDir);
    const { nn, loss, optim } = loaded;
    const net = sequentialOf(nn, presetLayers(request.model, train.sampleShape, train.numClasses));
    net.apply(initializerOf(request.init));
    await net.compile(train.sampleShape, train.numClasses);
    const buildMs = performance.now() - buildStart;

    const lossFn = loss.CrossEntropyLoss({ reduction: 'none' });
    const trainer = optim.SGD(net.parameters(), { lr: request.lr });
    const timer = timeTrainSteps(net);
    const totalEpochs = request.warmupEpochs + request.epochs;
    const epochs: EpochRecord[] = [];
    const history: RunEpoch[] = [];
    const { backend } = loaded;
    const identity = { backend: backend.name, engine: backend.engine, dtype: backend.dtype };
    const hyperparameters = {
      batchSize: train.batchSize,
      lr: request.lr,
      weightDecay: 0,
      epochs: totalEpochs,
      seed: request.seed,
      init: request.init,
    };
    for (let epoch = 0; epoch < totalEpochs; epoch++) {
      const warmup = epoch < request.warmupEpochs;
      const phase = warmup ? 'warmup' : 'measure';
      timer.recording = !warmup;
      profiler.take(0);
      const trainStart = performance.now();
      const { trainLoss, trainAcc } = await trainEpochCh3(net, train, lossFn, trainer, epoch, (event) => {
        if (event.type === 'batch') {
          onProgress({ type: 'progress', phase, epoch: epoch + 1, totalEpochs, batch: event.batch, numBatches: event.numBatches });
        }
      });
      const trainMs = performance.now() - trainStart;
      const evalStart = performance.now();
      const testAcc = await evaluateAccuracy(net, test);
      const evalMs = performance.now() - evalStart;
      history.push({ epoch: epoch + 1, trainLoss, trainAcc, testAcc, seconds: (trainMs + evalMs) / 1000 });
      profiler.time('write', () => files.write({ ...identity, seed: request.seed, hyperparameters, history, status: 'running' }));
      epochs.push({ warmup, trainLoss, trainAcc, testAcc, trainMs, evalMs, split: profiler.take(trainMs + evalMs) });
    }
    await files.flush();
    await net.dispose();
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
    if (runDir) await rm(runDir, { recursive: true, force: true });
  }
}
