// The training worker: one run per worker, so the page's Stop is terminate() and every framework's state goes with it.
import { type Batch, listBackends, type Module, numerics, XBackendError } from '@xbackend/core';
import type { FromWorker, Predictions, ToWorker } from './messages.ts';
import { registry } from './registry.ts';
import type { RunConfig } from './run-config.ts';
import { runScript } from './script.ts';
import { StepClock } from './step-clock.ts';
import { StepTimes } from './step-times.ts';

/** The worker's side of postMessage, typed here (the DOM and WebWorker libraries cannot share one program). */
const worker = self as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};
const post = (message: FromWorker): void => worker.postMessage(message);

/** Batch events are sent at most this often (a step can take 5 ms), and always for an epoch's last batch. */
const BATCH_EVENT_MS = 100;
/** d2l shows 6 test images; a grid of 18 shows a few mistakes too. */
const PREDICTION_COUNT = 18;

async function predictFirst(net: Module, batch: Batch, numClasses: number): Promise<Predictions> {
  const n = Math.min(PREDICTION_COUNT, batch.size);
  const predicted = numerics.argmaxRows(await net.forward(batch), batch.size, numClasses);
  const [, rows = 28, cols = 28] = batch.sampleShape;
  const pixels = Uint8Array.from(batch.x.subarray(0, n * rows * cols), (v) => Math.round(v * 255));
  return { pixels, rows, cols, labels: Array.from(batch.y.subarray(0, n)), predicted: Array.from(predicted.subarray(0, n)) };
}

async function train(config: RunConfig): Promise<void> {
  const clock = new StepClock();
  const times = new StepTimes();
  const loading = performance.now();
  let lastSent = 0;
  let msPerStep: number | undefined;
  let curve: number[] = [];
  /** How many of `curve`'s losses batch messages have carried. */
  let sent = 0;
  post({ type: 'status', text: `loading ${config.backend} and Fashion-MNIST` });
  const { net, testIter } = await runScript(config, {
    profiler: times,
    onBackend: (b) =>
      post({ type: 'started', backend: b.name, engine: b.engine, dtype: b.dtype, details: b.details, loadMs: performance.now() - loading }),
    onData: (progress) => post({ type: 'data', progress }),
    onEvent(event) {
      if (event.type !== 'batch') return;
      curve.push(event.trainLoss);
      msPerStep = clock.tick(event.epoch, event.batch) ?? msPerStep;
      const now = performance.now();
      if (now - lastSent < BATCH_EVENT_MS && event.batch !== event.numBatches) return;
      lastSent = now;
      const { type: _, ...progress } = event;
      post({ type: 'batch', ...progress, msPerStep, trainLosses: curve.slice(sent) });
      sent = curve.length;
    },
    async afterEpoch(metrics, trained) {
      const { stepMs, evalMs } = times.take();
      post({ type: 'epoch', metrics, msPerStep, curve, stepMs, evalMs, parameters: await trained.stateDict() });
      curve = [];
      sent = 0;
    },
  });
  const [first] = testIter.epoch(0);
  if (first) post({ type: 'done', predictions: await predictFirst(net, first, testIter.numClasses) });
  await net.dispose();
}

worker.onmessage = async (event) => {
  try {
    if (event.data.type === 'list') post({ type: 'engines', statuses: await listBackends({ registry }) });
    else await train(event.data.config);
  } catch (error) {
    // The error's `code` survives minification (class names do not); the message names the problem and its fix.
    const code = error instanceof XBackendError ? error.code : 'ERROR';
    post({ type: 'error', code, message: error instanceof Error ? error.message : String(error) });
  }
};
