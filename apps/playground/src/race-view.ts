import { relativeDistance } from './distance.ts';
import { formatNumber, h } from './dom.ts';
import type { RunConfig } from './run-config.ts';
import { TrainingRun } from './training-run.ts';

interface Lane {
  readonly run: TrainingRun;
  readonly row: HTMLTableRowElement;
  /** Parameters after each finished epoch, for distances at equal epochs. */
  readonly parameters: TrainingRun['parameters'][];
}

/**
 * Two or more backends trained side by side, each in its own worker, on the same seed: same initial weights, same
 * batches. Each lane shows its speed; the matrix shows how far apart their weights are after the same epoch.
 */
export class RaceView {
  readonly element: HTMLElement;
  private lanes: Lane[] = [];
  private frame: number | undefined;
  private readonly body = h('tbody');
  private readonly matrix = h('div', { class: 'distance-matrix', 'data-testid': 'race-distances' });
  private readonly status = h('p', { class: 'race-status', 'data-testid': 'race-status' });

  constructor(private readonly onFinished: () => void) {
    const head = h(
      'tr',
      {},
      ...['backend/engine', 'progress', 'steps/s', 'train loss', 'test acc', 'max distance to the others'].map((t) => h('th', {}, t)),
    );
    this.element = h(
      'section',
      { class: 'race', 'data-testid': 'race' },
      h('h2', {}, 'Race'),
      this.status,
      h('table', { class: 'race-table' }, h('thead', {}, head), this.body),
      this.matrix,
    );
    this.element.hidden = true;
  }

  get running(): boolean {
    return this.lanes.some((l) => !l.run.finished);
  }

  start(configs: readonly RunConfig[]): void {
    this.stop();
    this.element.hidden = false;
    this.element.dataset.state = 'training';
    this.body.replaceChildren();
    this.matrix.replaceChildren();
    this.status.textContent = `${configs.length} runs on seed ${configs[0]?.seed}: the same initial weights and batches.`;
    this.lanes = configs.map((config) => {
      const row = h('tr', { 'data-backend': config.backend });
      const parameters: Lane['parameters'] = [];
      const run = new TrainingRun(config, {
        onBatch: () => this.schedule(),
        onEpoch: (report) => {
          parameters.push(report.parameters);
          this.schedule();
        },
        onEnd: () => this.laneEnded(),
      });
      this.body.append(row);
      return { run, row, parameters };
    });
    this.update();
  }

  stop(): void {
    for (const lane of this.lanes) lane.run.stop();
  }

  private laneEnded(): void {
    this.update();
    if (this.running) return;
    this.element.dataset.state = 'done';
    this.onFinished();
  }

  /** Redraws at most once per animation frame: several lanes report many times a second. */
  private schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.update();
    });
  }

  private update(): void {
    const distances = this.lanes.map((lane) => this.lanes.map((other) => this.distance(lane, other)));
    this.lanes.forEach((lane, i) => {
      const { run } = lane;
      const latest = run.latest;
      const msPerStep = latest?.msPerStep ?? run.msPerStep.at(-1);
      const progress = h('progress', { max: latest?.numBatches ?? 1, value: latest?.batch ?? 0 });
      const state = run.finished ? run.state : latest ? `epoch ${latest.epoch}/${run.config.epochs}` : 'loading';
      const others = (distances[i] ?? []).filter((d, j) => j !== i && Number.isFinite(d));
      lane.row.replaceChildren(
        h('td', {}, run.info ? `${run.info.backend}/${run.info.engine}` : run.config.backend),
        h('td', {}, progress, ` ${run.error ? `error: ${run.error.message.split('\n')[0]}` : state}`),
        h('td', { 'data-testid': 'steps-per-second' }, msPerStep ? (1000 / msPerStep).toFixed(1) : '–'),
        h('td', {}, formatNumber(run.history.at(-1)?.trainLoss ?? latest?.trainLoss)),
        h('td', {}, formatNumber(run.history.at(-1)?.testAcc)),
        h('td', {}, others.length > 0 ? Math.max(...others).toExponential(2) : '–'),
      );
    });
    this.drawMatrix(distances);
  }

  /** Relative distance of the weights after the last epoch that both lanes finished. */
  private distance(a: Lane, b: Lane): number {
    const epoch = Math.min(a.parameters.length, b.parameters.length) - 1;
    const pa = a.parameters[epoch];
    const pb = b.parameters[epoch];
    return pa && pb ? relativeDistance(pa, pb) : Number.NaN;
  }

  private drawMatrix(distances: number[][]): void {
    const names = this.lanes.map((l) => l.run.config.backend);
    const head = h('tr', {}, h('th', {}, '‖wᵢ − wⱼ‖ / ‖wⱼ‖'), ...names.map((n) => h('th', {}, n)));
    const rows = distances.map((row, i) =>
      h(
        'tr',
        {},
        h('th', {}, names[i] ?? ''),
        ...row.map((d, j) =>
          h('td', { 'data-pair': `${names[i]}|${names[j]}` }, i === j || !Number.isFinite(d) ? '–' : d.toExponential(2)),
        ),
      ),
    );
    this.matrix.replaceChildren(
      h('p', {}, 'Distance between the weights after the same epoch:'),
      h('table', {}, h('thead', {}, head), h('tbody', {}, ...rows)),
    );
  }
}
