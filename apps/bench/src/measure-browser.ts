import type { HarnessEpoch, HarnessMessage } from '@xbackend/runs/browser';
import { unattendedQuery } from '@xbackend/runs/page-harness';
import type { ChildRunOptions, RunOutcome } from './child-runner.js';
import { drivePage } from './drive-page.js';
import type { RunMeasurement, RunRequest } from './protocol.js';

/** What every browser run of a bench shares: the browser, the served page, and the data the page is served. */
export interface BrowserSession {
  /** The Chromium binary. */
  readonly chromium: string;
  /** The built playground page, served with its headers and the bench's data files. */
  readonly url: string;
  /** The examples of the data set served (the bench's own, loaded in the parent): the page reports only batches. */
  readonly examples: { readonly train: number; readonly test: number };
}

type Started = Extract<HarnessMessage, { type: 'started' }>;

/** Collects what the page reports of one unattended run into the measurement a child process would send. */
class PageRun {
  private started: Started | undefined;
  private numBatches: number | undefined;
  private readonly epochs: HarnessEpoch[] = [];

  constructor(
    private readonly request: RunRequest,
    private readonly session: BrowserSession,
    private readonly onProgress: ChildRunOptions['onProgress'],
  ) {}

  receive(message: HarnessMessage): RunOutcome | undefined {
    const { request } = this;
    switch (message.type) {
      case 'engines':
        return undefined;
      case 'started':
        this.started = message;
        this.onProgress?.({ type: 'progress', phase: 'data' });
        return undefined;
      case 'batch': {
        this.numBatches = message.numBatches;
        const phase = message.epoch <= request.warmupEpochs ? 'warmup' : 'measure';
        const totalEpochs = request.warmupEpochs + request.epochs;
        const { epoch, batch, numBatches } = message;
        this.onProgress?.({ type: 'progress', phase, epoch, totalEpochs, batch, numBatches });
        return undefined;
      }
      case 'epoch':
        this.epochs.push(message.record);
        return undefined;
      case 'error':
        return { ok: false, error: `the page reported ${message.code}: ${message.message}` };
      case 'done':
        return this.measurement();
    }
  }

  private measurement(): RunOutcome {
    const { request, started, epochs } = this;
    const expected = Math.ceil(this.session.examples.train / request.batchSize);
    if (!started) return { ok: false, error: 'the page finished without reporting its backend' };
    if (epochs.length !== request.warmupEpochs + request.epochs) {
      return { ok: false, error: `the page reported ${epochs.length} epochs, not ${request.warmupEpochs + request.epochs}` };
    }
    if (this.numBatches !== expected) {
      return {
        ok: false,
        error: `the page trained on ${this.numBatches} batches per epoch, the bench's data has ${expected}: it was served other data files`,
      };
    }
    const measured = epochs.filter((e) => !e.warmup);
    const firstStepMs = epochs[0]?.stepMs[0];
    const measurement: RunMeasurement = {
      backend: started.backend,
      engine: started.engine,
      dtype: started.dtype,
      details: started.details,
      numTrainExamples: this.session.examples.train,
      numTestExamples: this.session.examples.test,
      numBatches: expected,
      buildMs: started.loadMs,
      epochs: epochs.map(({ warmup, trainLoss, trainAcc, testAcc, trainMs, evalMs }) => ({
        warmup,
        trainLoss,
        trainAcc,
        testAcc,
        trainMs,
        evalMs,
      })),
      stepMs: measured.flatMap((e) => e.stepMs),
      ...(firstStepMs === undefined ? {} : { firstStepMs }),
    };
    return { ok: true, measurement };
  }
}

/**
 * One browser row's run: the playground page in a fresh headless Chromium, unattended (`?autostart=1&…`), trains
 * the request's warm-up and measured epochs on the request's backend/engine and reports each epoch (train and eval
 * times, every step) through the page's harness. Resolves with the outcome like a child process run (a failure is an
 * outcome); rejects only when `signal` aborts, after the browser is closed.
 */
export function runInBrowser(request: RunRequest, session: BrowserSession, options: ChildRunOptions = {}): Promise<RunOutcome> {
  if (request.engine === undefined) throw new Error(`internal: browser run of ${request.backend} without an engine`);
  const run = new PageRun(request, session, options.onProgress);
  options.onProgress?.({ type: 'progress', phase: 'build' });
  const query = unattendedQuery({
    backend: `${request.backend}/${request.engine}`,
    model: request.model,
    batchSize: request.batchSize,
    lr: request.lr,
    seed: request.seed,
    warmupEpochs: request.warmupEpochs,
    epochs: request.epochs,
    ...(request.threads === undefined ? {} : { threads: request.threads }),
    verifyData: request.data.verify,
  });
  return drivePage<RunOutcome>(
    session.chromium,
    `${session.url}${query}`,
    (message) => run.receive(message),
    (error) => ({ ok: false, error }),
    {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      timeoutMessage: `timed out after ${(options.timeoutMs ?? 0) / 1000} s (--run-timeout); the browser was closed`,
    },
  );
}
