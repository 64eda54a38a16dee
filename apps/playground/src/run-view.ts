import { Animator } from './animator.ts';
import { formatNumber, h } from './dom.ts';
import type { BackendInfo, BatchProgress, EpochReport } from './messages.ts';
import { downloadLink } from './metrics-file.ts';
import { predictionsView } from './predictions-view.ts';
import type { RunConfig } from './run-config.ts';
import { type RunListener, TrainingRun } from './training-run.ts';

/** One training run on the page: what runs, the epoch's progress, the curves, the epochs table and the results. */
export class RunView implements RunListener {
  readonly element: HTMLElement;
  private run: TrainingRun | undefined;
  /** Told everything this view is told about the current run (the unattended mode's driver). */
  private observer: RunListener | undefined;
  private readonly status = h('p', { class: 'status', 'data-testid': 'status', role: 'status' });
  private readonly details = h('details', { class: 'backend-details' });
  private readonly progress = h('progress', { max: 1, value: 0, 'data-testid': 'epoch-progress' });
  private readonly progressLabel = h('span', { class: 'progress-label', 'data-testid': 'progress-label' });
  private readonly speed = h('span', { class: 'speed', 'data-testid': 'ms-per-step' });
  private readonly animator = new Animator(10);
  private readonly epochRows = h('tbody');
  private readonly results = h('div', { class: 'results' });
  private readonly error = h('pre', { class: 'error', role: 'alert', 'data-testid': 'error' });

  constructor(private readonly onFinished: (run: TrainingRun) => void) {
    const epochTable = h(
      'table',
      { class: 'epochs', 'data-testid': 'epochs' },
      h('thead', {}, h('tr', {}, ...['epoch', 'train loss', 'train acc', 'test acc', 'ms/step', 'seconds'].map((t) => h('th', {}, t)))),
      this.epochRows,
    );
    this.error.hidden = true;
    this.element = h(
      'section',
      { class: 'run', 'data-testid': 'run' },
      this.status,
      this.details,
      h('div', { class: 'progress-row' }, this.progress, this.progressLabel, this.speed),
      h('div', { class: 'chart-row' }, this.animator.element, epochTable),
      this.error,
      this.results,
    );
  }

  get running(): boolean {
    return this.run !== undefined && !this.run.finished;
  }

  start(config: RunConfig, observer?: RunListener): void {
    this.run?.stop();
    this.observer = observer;
    this.animator.reset(config.epochs);
    this.epochRows.replaceChildren();
    this.results.replaceChildren();
    this.details.replaceChildren();
    this.error.hidden = true;
    this.progress.value = 0;
    this.progressLabel.textContent = '';
    this.speed.textContent = '';
    this.status.textContent = `starting ${config.backend}…`;
    this.element.dataset.state = 'loading';
    this.run = new TrainingRun(config, this);
  }

  stop(): void {
    this.run?.stop();
  }

  onStatus(text: string): void {
    this.status.textContent = text;
  }

  onStarted(info: BackendInfo): void {
    this.observer?.onStarted?.(info);
    // The line trainCh3 prints first in Node.
    this.status.textContent = `training on ${info.backend}/${info.engine} (${info.dtype})`;
    this.element.dataset.state = 'training';
    const rows = Object.entries(info.details).map(([key, value]) => h('tr', {}, h('th', {}, key), h('td', {}, String(value))));
    this.details.replaceChildren(h('summary', {}, 'engine details'), h('table', {}, h('tbody', {}, ...rows)));
  }

  onBatch(p: BatchProgress): void {
    this.observer?.onBatch?.(p);
    this.progress.max = p.numBatches;
    this.progress.value = p.batch;
    this.progressLabel.textContent = `epoch ${p.epoch}/${this.run?.config.epochs}: batch ${p.batch}/${p.numBatches}`;
    this.speed.textContent =
      p.msPerStep === undefined ? '' : `${p.msPerStep.toFixed(1)} ms/step (${(1000 / p.msPerStep).toFixed(0)} steps/s)`;
    this.animator.addBatch(p.epoch, p.batch, p.numBatches, p.trainLoss, p.trainAcc);
  }

  onEpoch(report: EpochReport): void {
    this.observer?.onEpoch?.(report);
    const { metrics: m, msPerStep } = report;
    this.animator.addEpoch(m.epoch, m.testAcc);
    const cells = [
      String(m.epoch),
      formatNumber(m.trainLoss),
      formatNumber(m.trainAcc),
      formatNumber(m.testAcc),
      formatNumber(msPerStep, 1),
      m.seconds.toFixed(2),
    ];
    this.epochRows.append(h('tr', {}, ...cells.map((c) => h('td', {}, c))));
  }

  onEnd(run: TrainingRun): void {
    this.element.dataset.state = run.state;
    if (run.state === 'error' && run.error) {
      this.status.textContent = `${run.config.backend} failed (${run.error.code})`;
      this.error.textContent = run.error.message;
      this.error.hidden = false;
    } else if (run.state === 'stopped') {
      this.status.textContent = `stopped ${run.config.backend} after ${run.history.length} epoch(s)`;
    } else {
      const origins = new Set(Object.values(run.dataOrigins));
      this.status.textContent = `finished ${run.info?.backend}/${run.info?.engine}: ${run.history.length} epoch(s); data from ${[...origins].join(' and ') || '?'}`;
    }
    if (run.predictions) this.results.append(predictionsView(run.predictions));
    if (run.state !== 'error') this.results.append(h('p', {}, downloadLink(run)));
    this.onFinished(run);
    this.observer?.onEnd?.(run);
  }
}
