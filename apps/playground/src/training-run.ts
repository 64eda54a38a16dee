import type { EpochMetrics, ParameterTensor } from '@xbackend/core';
import type { BackendInfo, BatchProgress, EpochReport, FromWorker, Predictions } from './messages.ts';
import type { RunConfig } from './run-config.ts';

export type RunState = 'loading' | 'training' | 'done' | 'stopped' | 'error';

export interface RunListener {
  onStatus?(text: string): void;
  onStarted?(info: BackendInfo): void;
  onBatch?(progress: BatchProgress): void;
  onEpoch?(report: EpochReport): void;
  onEnd?(run: TrainingRun): void;
}

/** Where each data file came from, as the worker reported it. */
export type DataOrigins = Record<string, 'network' | 'cache'>;

/** Starts a worker (from the page's own module graph, so that bundlers emit it) */
export function startWorker(): Worker {
  return new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module', name: 'xbackend-training' });
}

/**
 * One training run in its own Web Worker: the page stays responsive whatever the framework does, and Stop
 * terminates the worker at once (a framework busy in a step cannot be interrupted any other way).
 */
export class TrainingRun {
  state: RunState = 'loading';
  info: BackendInfo | undefined;
  readonly history: EpochMetrics[] = [];
  readonly curves: number[][] = [];
  readonly msPerStep: (number | undefined)[] = [];
  readonly dataOrigins: DataOrigins = {};
  parameters: ParameterTensor[] | undefined;
  predictions: Predictions | undefined;
  latest: BatchProgress | undefined;
  error: { code: string; message: string } | undefined;
  readonly startedAt = new Date();
  private readonly worker: Worker;

  constructor(
    readonly config: RunConfig,
    private readonly listener: RunListener,
  ) {
    this.worker = startWorker();
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.receive(event.data);
    this.worker.onerror = (event) => this.fail('WORKER', event.message || 'the training worker failed to start');
    this.worker.postMessage({ type: 'train', config });
  }

  get finished(): boolean {
    return this.state === 'done' || this.state === 'stopped' || this.state === 'error';
  }

  /** Ends the run now; what it reported so far stays. */
  stop(): void {
    if (this.finished) return;
    this.worker.terminate();
    this.end('stopped');
  }

  private receive(message: FromWorker): void {
    if (this.finished) return;
    switch (message.type) {
      case 'status':
        this.listener.onStatus?.(message.text);
        break;
      case 'data':
        this.dataOrigins[message.progress.file] = message.progress.origin;
        break;
      case 'started': {
        const { type: _, ...info } = message;
        this.info = info;
        this.state = 'training';
        this.listener.onStarted?.(info);
        break;
      }
      case 'batch': {
        const { type: _, ...progress } = message;
        this.latest = progress;
        this.listener.onBatch?.(progress);
        break;
      }
      case 'epoch': {
        const { type: _, ...report } = message;
        this.history.push(report.metrics);
        this.curves.push(report.curve);
        this.msPerStep.push(report.msPerStep);
        this.parameters = report.parameters;
        this.listener.onEpoch?.(report);
        break;
      }
      case 'done':
        this.predictions = message.predictions;
        this.worker.terminate();
        this.end('done');
        break;
      case 'error':
        this.fail(message.code, message.message);
        break;
    }
  }

  private fail(code: string, message: string): void {
    this.error = { code, message };
    this.worker.terminate();
    this.end('error');
  }

  private end(state: RunState): void {
    this.state = state;
    this.listener.onEnd?.(this);
  }
}
